"""The iTSCOM サーバホスティング terms, billed by hand: a plain-Python evaluator written from the Japanese text
(shared seed 003, 2024-03-01 revision) and the readings recorded in docs/contracts/itscom-hosting.md, with no
code from `interpreter/`. It is the yardstick the project's invoices and speed are measured against
(bench/compare_itscom.py).

Input: a `bench.portfolio.Customer` (params, rows of events, as_of). Output: the customer's invoices, one per
calendar month that has anything to bill, each with its lines, tax, total and due date. Money is integer yen.

What each figure rests on (articles of the terms; C-n are the readings of docs/contracts/itscom-hosting.md):

- 加入料 (第29条, 別表①): 20,000 yen for WWW, Mail (セキュア MX), パック (セキュア MX), on the start day.
- 利用料金（月額）(第30条, 別表②1): per calendar month, from the month after the start month (第30条3 "利用開始日
  が属する月の翌月分から", C-4); the month the contract ends is billed in full (C-5).
- オプション (別表③): monthly fees in full from the month the option starts (C-20), up to the month before its
  解約日 (第17条2, the 1st); per-unit fees on the quantity held on the month's last billed day; the mailing-list
  usage fee on the greatest number of lists the month saw (※13 "請求月の最大メーリングリスト数"), which includes
  the number in force at the month's first instant; yearly fees (年間費用) on the start day and each anniversary;
  initial fees once, on the start day; domain and DNS work per request (別表③ ドメインお預かり DNS 運用サービス).
- 第17条1: an option change takes effect on the desired day if the application arrives 2 clear weeks before
  (D − 15, C-9), otherwise on the earliest day it allows (C-13); the extra Secure MX disk needs no lead time
  ((注2), 但し書). 第17条2: options end on a 1st, application by the end of the month two months before, a late one
  moves to the next 1st it meets; the extra disk cannot be reduced or cancelled ((注2)): an order below any capacity
  from its day through its desired day, one still waiting for its own day included, is refused.
- 第6条2・3: options only with the services they belong to; 別表 ※2–※4, ※6, ※11, ※12: withdrawn items take no
  orders after the date named (C-17); a withdrawn option held takes no change either ("変更の承諾は行いません", C-28).
- 第30条2, 第31条3: a service type taken on by a change in the middle of a month bills from the next 1st; the month
  of the change bills the type held on its 1st (C-27).
- 第25条1: cancellation at a month end, written notice by the end of the month before (前営業日 when that day is
  closed); a late notice takes effect at the first month end whose deadline it met (C-11). 第25条2: a 解除 ends the
  contract the day it arrives.
- 第12条, 第33条: minimum term of 3 months counted from the start day (起算して); ending before its last day owes one
  plan fee for every calendar month after the end month up to the month of that last day (C-1, C-2), in one sum on
  the end day; not after a 第25条2 解除 unless the reading choice C-6 (`purpose_failure_settlement`) is `settled`.
- 第34条: the evaded fees, taxed, and a surcharge of twice them, untaxed (C-16).
- 第37条: per full 24 hours of an outage caused by iTSCOM, 1/30 of the plan's monthly fee held that day (after the
  start month, held on the month's 1st: the fee the month bills, C-27), floored once (C-15), credited on the customer's claim made by the day 3 months after the 24-hour mark ends (民法140・143; 142 for a
  closed last day, C-8, C-14); the credit goes on the invoice of the month of the claim.
- 第28条3: fractions of a yen cut off. 第36条: consumption tax 10 %, floored once per invoice on the taxed lines
  (credits subtracted first; surcharge and interest untaxed, C-16).
- Invoices: one per calendar month; due at the end of the following month (第30条3, 第28条2, C-22). Payments settle
  invoices in order of due date (民法488条4項); 第35条: 14.6 % a year on each amount paid late, from the day after the
  due date through the payment day, 365-day year (C-7), floored for each part paid; the interest is billed on the
  invoice of the month that part is paid in and owed there like the fees, which later payments settle (an invoice's
  interest first, 民法489条, and the interest of every invoice already due before any fee; interest bears none of
  its own). An invoice whose credits exceed its charges settles the invoices after it before any payment.

What is known on the as-of day is billed: events of a later day are left out, and an outage counts up to the end of
that day.

`PROJECT_READINGS` names the places where the project's ledger is known to read the text differently (none at
present); `evaluate` can be asked to take one of those readings, so that the comparison can prove that a difference
is exactly that one and nothing else. The default is the text.
"""
from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import holidays

ONE_DAY = timedelta(days=1)
TAX_PERCENT = 10  # 第36条: consumption tax, standard rate from 2019-10-01
INTEREST_PER_MILLE_YEAR = 146  # 第35条: 14.6 % a year, as 146 / 1000
INITIAL_FEE_PLANS = {"www": 20_000, "mail_secure_mx": 20_000, "pack_secure_mx": 20_000}  # 別表①
PLAN_FEES = {  # 別表② 1 利用料金（月額）
    "www": 10_000, "mail_secure_mx": 4_500, "mail_standard": 5_000, "mail_secure": 5_000,
    "pack_secure_mx": 13_000, "pack_standard": 13_500, "pack_secure": 13_500, "mini_pack": 5_000,
}
PLAN_CHANGE_FEE = 10_000  # 別表② 2 サービス種別の変更
SPAM_SCAN_FEE = 3_000  # 別表② 2 迷惑メールスキャン設定 ※6

# 別表③: monthly fees as (yen, units per charge or None for a flat fee).
OPTION_MONTHLY = {
    "ssl": [(1_000, None)],
    "extra_www_disk": [(10_000, 1)], "extra_ssl_disk": [(5_000, 1)], "extra_ftp": [(1_000, 1)],
    "access_log": [(3_000, None)], "ips": [(10_000, 1)],
    "ml_standard": [(1_000, None)], "ml_secure": [(1_500, None)],
    "account_standard": [(1_000, 10)], "account_secure": [(300, 1)], "mail_audit_old": [(30_000, None)],
    "extra_account": [(300, 1)], "extra_disk": [(200, 10)],
    "mailing_list": [(1_000, None)],  # and the usage fee of ※13, below
    "isdn": [(1_500, None)], "dns_monthly": [(1_000, None)],
}
OPTION_INITIAL = {"access_log": (3_000, None), "ips": (10_000, 1), "ml_standard": (10_000, None),
                  "ml_secure": (10_000, None), "mailing_list": (10_000, None)}
OPTION_YEARLY = {"ssl": [20_000, 10_000, "digital_id_fee"],  # 取得代行手数料, サーバ設定料, 申請料（実費）
                 "dns_yearly_attribute": [10_000], "dns_yearly_generic": [5_000], "dns_yearly_gtld": [10_000]}

# 別表② ※2–※4, 別表③ ※2, ※11, ※12: the last day each withdrawn item took orders (C-17).
LAST_ORDER_DAY = {item: date(2023, 4, 30) for item in (
    "mail_standard", "mail_secure", "pack_standard", "pack_secure", "ml_standard", "ml_secure",
    "account_standard", "account_secure", "mail_audit_old")}
LAST_ORDER_DAY["mini_pack"] = date(2023, 3, 30)
LAST_SPAM_SCAN_ORDER = date(2023, 4, 30)  # ※6

# 第6条2・3: an option may be ordered only while one of these is held.
REQUIRES = {
    "ml_standard": ("mail_standard", "mail_secure", "pack_standard", "pack_secure", "mini_pack"),
    "ml_secure": ("mail_standard", "mail_secure", "pack_standard", "pack_secure", "mini_pack"),
    "ssl": ("www", "pack_standard", "pack_secure", "mini_pack"),  # C-18: パック（セキュア MX）is not listed
    "mailing_list": ("mailbox_plus", "mail_secure_mx", "pack_secure_mx"),
    "private_relay": ("mailbox_plus", "mail_secure_mx", "pack_secure_mx"),
    "iij_id_link": ("iij_id_service",),
    "dox_link": ("iij_dex",),
}

# 別表③ ドメインお預かり DNS 運用サービス, yen per request by (work, domain type); work without a price is free.
_JPRS_ATTRIBUTE = {"registration": 10_000, "name_change": 10_000, "manager_transfer": 10_000,
                   "abolish_early": 3_000, "record_change": 3_000, "renewal": 10_000}
_JPRS_GENERIC = {"registration": 5_000, "manager_transfer": 5_000, "abolish_early": 3_000,
                 "record_change": 3_000, "renewal": 5_000}
_GTLD = {"registration": 10_000, "registrar_transfer": 10_000, "transfer_express": 30_000, "transfer": 10_000,
         "abolish_early": 10_000, "record_change": 10_000, "renewal": 10_000, "host_name": 5_000,
         "host_name_both": 10_000}  # ホスト名: 5,000 円/回, プライマリ、セカンダリの場合×2
DOMAIN_FEES = {"jprs_attribute": _JPRS_ATTRIBUTE, "jprs_generic": _JPRS_GENERIC, "gtld": _GTLD}
DNS_SETTING_FEE = 3_000  # 設定変更 ※18, every domain type

# Where the project reads the text otherwise (see bench/compare_itscom.py, DISAGREEMENTS): none at present.
PROJECT_READINGS: tuple[str, ...] = ()


# ------------------------------------------------------------------ calendar


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


JST = timezone(timedelta(hours=9))  # the times of the rows, and of the as-of day's end


def days_in_month(year: int, month: int) -> int:
    if month == 2 and _calendar.isleap(year):
        return 29
    return _MONTH_DAYS[month - 1]


def month_end(d: date) -> date:
    return d.replace(day=days_in_month(d.year, d.month))


def month_start_after(d: date, months: int) -> date:
    """The 1st of the month `months` after d's month."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(year, month0 + 1, 1)


def add_months(d: date, months: int) -> date:
    """d plus whole months, the day clamped to the month's last day (an anniversary of Jan 31 in February)."""
    first = month_start_after(d, months)
    return first.replace(day=min(d.day, days_in_month(first.year, first.month)))


def months_expire(first_day: date, months: int) -> date:
    """民法143条: the last day of a period of months whose first (counted) day is `first_day`: the day before the
    corresponding day, or the last day of the final month when it has no such day."""
    final = month_start_after(first_day, months)
    last = days_in_month(final.year, final.month)
    if first_day.day > last:
        return final.replace(day=last)
    return final.replace(day=first_day.day) - ONE_DAY


class BusinessDays:
    """当社の営業日: weekdays that are not national holidays (C-12; the terms declare no closures of their own)."""

    def __init__(self) -> None:
        self._holidays: dict[int, holidays.HolidayBase] = {}

    def is_open(self, d: date) -> bool:
        if d.weekday() >= 5:
            return False
        year = self._holidays.get(d.year)
        if year is None:
            year = self._holidays[d.year] = holidays.Japan(years=d.year)
        return d not in year

    def on_or_before(self, d: date) -> date:
        while not self.is_open(d):
            d -= ONE_DAY
        return d

    def on_or_after(self, d: date) -> date:
        while not self.is_open(d):
            d += ONE_DAY
        return d


BUSINESS_DAYS = BusinessDays()


# ------------------------------------------------------------------ what a customer holds


@dataclass
class Held:
    """A plan or option held from `start` to `end` (its last day; None while it runs), with its quantities:
    (day, instant or None, quantity) in the order they took effect; an instant is kept for a count the customer
    changes at a time of day (a usage report), a change of contract takes effect from the start of its day."""

    item: str
    start: date
    end: date | None
    changes: list[tuple[date, datetime | None, int]]

    def holds_on(self, d: date) -> bool:
        return self.start <= d and (self.end is None or d <= self.end)

    def quantity_on(self, d: date) -> int:
        quantity = self.changes[0][2]
        for day, _, value in self.changes:
            if day <= d:
                quantity = value
        return quantity

    def maximum_in(self, first: date, last: date) -> int:
        """The greatest quantity held between the start of `first` and the end of `last`. At the first instant
        of `first` the quantity is the one in force before a change made later that day (※13)."""
        in_force = self.changes[0][2]
        for day, instant, value in self.changes:
            if day < first or (day == first and (instant is None or instant.time() == time(0))):
                in_force = value
        return max([in_force] + [value for day, _, value in self.changes if first <= day <= last])


@dataclass
class Line:
    kind: str  # charge or credit
    rule: str  # the clauses.md id the figure comes from
    amount: int
    taxed: bool
    day: date


@dataclass
class Invoice:
    month: date  # its first day
    lines: list[Line]
    amount: int  # charges less credits, before tax
    tax: int
    due: date

    @property
    def total(self) -> int:
        return self.amount + self.tax


@dataclass
class _Claimable:
    amount: int
    from_day: date
    by: date


@dataclass
class _Account:
    """One customer's contract as its events leave it (what is held when, what is owed on which day), then its
    invoices."""

    params: dict
    readings: frozenset
    held: dict[str, list[Held]] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    contract_start: date | None = None
    contract_end: date | None = None
    ended_by: str | None = None
    claimable: list[_Claimable] = field(default_factory=list)
    claims: list[date] = field(default_factory=list)
    payments: list[tuple[datetime, int]] = field(default_factory=list)

    def holding(self, item: str, d: date) -> Held | None:
        for held in self.held.get(item, ()):
            if held.holds_on(d):
                return held
        return None

    def charge(self, rule: str, amount: int, d: date, taxed: bool = True) -> None:
        self.lines.append(Line("charge", rule, amount, taxed, d))

    # -------------------------------------------------------------- starting and ending

    def start(self, item: str, d: date, quantity: int) -> Held:
        held = Held(item, d, None, [(d, None, quantity)])
        if self.contract_end is not None and self.contract_end >= d:
            held.end = self.contract_end
        self.held.setdefault(item, []).append(held)
        return held

    def end_contract(self, last: date, by: str) -> None:
        if self.contract_end is not None and self.contract_end <= last:
            return
        self.contract_end, self.ended_by = last, by
        for series in self.held.values():
            for held in series:
                if held.end is None or held.end > last:
                    held.end = last

    # -------------------------------------------------------------- events

    def service_start(self, d: date, plan: str) -> None:
        if plan in LAST_ORDER_DAY and d > LAST_ORDER_DAY[plan]:
            return  # 別表② ※2–※4: no longer ordered
        if self.contract_start is None:
            self.contract_start = d
        self.start(plan, d, 1)
        if plan in INITIAL_FEE_PLANS:
            self.charge("ITS-4", INITIAL_FEE_PLANS[plan], d)

    def refused_order(self, item: str, quantity: int | None, d: date, effective: date | None = None) -> bool:
        """第6条, 別表 ※: whether an order (or a change of quantity) received on d, to take effect on `effective`
        (d when not given), cannot be accepted."""
        if item in LAST_ORDER_DAY and d > LAST_ORDER_DAY[item]:
            # a service type: only a change to it is closed; an option: a change of one held too (C-28)
            if self.holding(item, d) is None or (
                    item not in PLAN_FEES and self.params.get("withdrawn_option_change", "no_change") == "no_change"):
                return True
        if item in REQUIRES and not any(self.holding(p, d) for p in REQUIRES[item]):
            return True
        if item == "extra_disk" and quantity is not None:  # (注2) 追加したディスク容量を削減することはできません
            last = max(d, effective or d)
            for held in self.held.get(item, ()):  # every capacity from d through the day it takes effect
                if held.start <= last and (held.end is None or held.end >= d) and \
                        quantity < held.maximum_in(max(d, held.start), min(last, held.end or last)):
                    return True
        return False

    def option_order(self, d: date, option: str, quantity: int, desired: date) -> None:
        # 第17条1: 2 clear weeks before the desired day (D − 15, C-9); (注2) the extra disk needs none.
        lead = timedelta(0) if option == "extra_disk" else timedelta(days=15)
        effective = max(desired, d + lead)  # C-13: a late application takes the earliest day it allows
        if self.refused_order(option, quantity, d, effective):
            return
        if self.contract_end is not None and effective > self.contract_end:
            return  # a change to a 利用契約 that will have ended by then changes nothing
        held = self.holding(option, effective)
        if held is not None:
            held.changes.append((effective, None, quantity))
            return
        self.start(option, effective, quantity)
        if option in OPTION_INITIAL:
            yen, per = OPTION_INITIAL[option]
            self.charge("ITS-7", yen * (_units(quantity, per) if per else 1), effective)

    def option_cancel(self, d: date, option: str, desired: date) -> None:
        if option == "extra_disk":
            return  # (注2): cannot be cancelled
        # 第17条2: only on a 1st; the application by the end of the month two months before (C-10: no shift).
        effective = desired if desired.day == 1 else month_start_after(desired, 1)
        while d > month_start_after(effective, -1) - ONE_DAY:
            effective = month_start_after(effective, 1)
        last = effective - ONE_DAY
        held = self.holding(option, last) or self.holding(option, effective)
        if held is not None and (held.end is None or held.end > last):
            held.end = last

    def usage(self, at: datetime, d: date, option: str, quantity: int) -> None:
        if self.refused_order(option, quantity, d):
            return
        held = self.holding(option, d)
        if held is not None:
            held.changes.append((d, at, quantity))

    def plan_change(self, d: date, old: str, new: str) -> None:
        if self.refused_order(new, None, d):
            return
        held = self.holding(old, d)
        quantity = held.quantity_on(d) if held else 1
        if held is not None and (held.end is None or held.end > d - ONE_DAY):
            held.end = d - ONE_DAY
        self.start(new, d, quantity)  # ends with the contract, if its end is already known
        self.charge("ITS-8", PLAN_CHANGE_FEE, d)

    def cancel_notice(self, d: date, desired_end: date) -> None:
        # 第25条1: a month end; notice by the end of the month before, the business day before if that is closed.
        effective = month_end(desired_end)
        while d > BUSINESS_DAYS.on_or_before(month_start_after(effective, 0) - ONE_DAY):
            effective = month_end(month_start_after(effective, 1))  # C-11
        self.end_contract(effective, "cancel_notice")

    def outage(self, at: datetime, until: datetime, cause: str) -> None:
        if cause != "provider":
            return
        unusable = until - at
        days = unusable // timedelta(hours=24)  # 24で除した数（小数点以下の端数は切り捨て）
        if days < 1:
            return
        d = at.date()
        billing_from = month_start_after(self.contract_start, 1) if self.contract_start else None
        if self.params.get("type_change_month", "new_type_next_month") == "new_type_next_month" and \
                billing_from is not None and d >= billing_from:
            d = d.replace(day=1)  # C-27: the month bills the type held on its 1st
        fee = sum(PLAN_FEES[plan] for plan in PLAN_FEES if self.holding(plan, d))  # C-15
        amount = days * fee // 30
        if amount <= 0:
            return
        mark = at + timedelta(hours=24)  # the day the claim can first be made (C-8)
        first_counted = mark.date() if mark.time() == time(0) else mark.date() + ONE_DAY  # 民法140条
        by = BUSINESS_DAYS.on_or_after(months_expire(first_counted, 3))  # 民法143条, 142条 (C-14)
        self.claimable.append(_Claimable(amount, mark.date(), by))

    def domain_request(self, d: date, work: str, tld: str) -> None:
        yen = DNS_SETTING_FEE if work == "dns_setting" else DOMAIN_FEES[tld].get(work, 0)
        if yen:
            self.charge("ITS-7", yen, d)

    def evasion(self, d: date, amount: int) -> None:
        self.charge("ITS-15", amount, d)  # the evaded fees themselves, with their tax
        self.charge("ITS-15", 2 * amount, d, taxed=False)  # 割増金: twice the tax-exclusive amount, no tax

    # -------------------------------------------------------------- billing after the events

    def bill(self, as_of: date) -> list[Invoice]:
        horizon = self.contract_end or month_end(as_of)
        self.monthly_and_yearly_fees(horizon)
        self.settlement()
        self.credits()
        return self.invoices()

    def monthly_and_yearly_fees(self, horizon: date) -> None:
        billing_from = month_start_after(self.contract_start, 1) if self.contract_start else None  # 第30条3
        for item in sorted(self.held):
            for held in self.held[item]:
                last_day = min(held.end or horizon, horizon)
                if item in PLAN_FEES:
                    self.plan_months(held, last_day, billing_from)
                elif item in OPTION_MONTHLY:
                    self.option_months(held, last_day)
                if item in OPTION_YEARLY:
                    self.option_years(held, last_day)

    def plan_months(self, held: Held, last_day: date, billing_from: date | None) -> None:
        month = max(held.start.replace(day=1), billing_from or held.start.replace(day=1))
        if held.start > (self.contract_start or held.start) and held.start.day != 1 and \
                self.params.get("type_change_month", "new_type_next_month") == "new_type_next_month":
            month = max(month, month_start_after(held.start, 1))  # C-27: taken on mid-month, billed from the next 1st
        while month <= last_day:
            self.charge("ITS-5", PLAN_FEES[held.item], month_end(month))  # whole months (第30条2, C-5)
            month = month_start_after(month, 1)

    def option_months(self, held: Held, last_day: date) -> None:
        month = held.start.replace(day=1)
        rate = self.params.get("mailing_list_rate", 0)
        while month <= last_day:
            end = month_end(month)
            first, last = max(month, held.start), min(end, last_day)
            quantity = held.quantity_on(last)
            for yen, per in OPTION_MONTHLY[held.item]:
                self.charge("ITS-7", yen * _units(quantity, per) if per else yen, end)
            if held.item == "mailing_list":  # ※13
                lists = held.maximum_in(first, last)
                self.charge("ITS-7", rate * lists, end)
            month = month_start_after(month, 1)

    def option_years(self, held: Held, last_day: date) -> None:
        k = 0
        while (anniversary := add_months(held.start, 12 * k)) <= last_day:
            for yen in OPTION_YEARLY[held.item]:
                self.charge("ITS-7", self.params.get(yen, 0) if isinstance(yen, str) else yen, anniversary)
            k += 1

    def settlement(self) -> None:
        """第33条: ending inside the minimum term owes the plan fee of every month after the end month up to the
        month the term ends (C-1, C-2)."""
        end, start = self.contract_end, self.contract_start
        if end is None or start is None:
            return
        literal = self.params.get("purpose_failure_settlement", "none") == "settled"
        if self.ended_by == "interruption_termination" and not literal:
            return  # C-6 (default): no settlement after a 第25条2 解除
        term_last = months_expire(start, 3)  # 第12条: 3ヶ月, 起算して
        if end >= term_last:
            return
        months = (term_last.year * 12 + term_last.month) - (end.year * 12 + end.month)
        plans = [h for p in PLAN_FEES for h in self.held.get(p, ()) if h.end == end]
        total = months * sum(PLAN_FEES[h.item] for h in plans)
        if total:
            self.charge("ITS-3", total, end)

    def credits(self) -> None:
        """第37条 ただし書: a reduction exists only if claimed by its last day; it reduces the fees of the claim's
        month."""
        for right in self.claimable:
            claim = next((c for c in self.claims if right.from_day <= c <= right.by), None)
            if claim is not None:
                self.lines.append(Line("credit", "ITS-18", right.amount, True, claim))

    def invoices(self) -> list[Invoice]:
        """One invoice per month, in order; payments go to them in order of due date (民法488条4項), each invoice's late
        interest first (民法489条); 第35条 on each part of an invoice paid after its due date, for that part's days,
        billed on the invoice of the month that part is paid in (a month after the invoice's own, still to come)."""
        by_month: dict[date, list[Line]] = {}
        for line in self.lines:
            by_month.setdefault(line.day.replace(day=1), []).append(line)
        payments = iter(sorted(self.payments, key=lambda p: p[0]))
        left, paid_at = 0, None
        done: dict[date, Invoice] = {}
        prepaid: dict[date, int] = {}  # interest of a later month's invoice, already due, paid first (民法489条)
        interest: dict[date, int] = {}  # the late interest billed on each month's invoice still to be settled
        surplus = 0  # what invoices whose credits exceed their charges leave over: it settles the next ones first
        while by_month:
            month = min(by_month)
            invoice = done[month] = _invoice(month, by_month.pop(month))
            owed = invoice.total - prepaid.get(month, 0)
            interest_first = interest.pop(month, 0) - prepaid.get(month, 0)
            if owed < 0:
                surplus -= owed
                continue
            take = min(owed, surplus)  # no payment, so no interest; the invoice's own interest first
            owed, surplus, interest_first = owed - take, surplus - take, interest_first - min(interest_first, take)
            while owed > 0:
                if left == 0:
                    nxt = next(payments, None)
                    if nxt is None:
                        break
                    paid_at, left = nxt[0].date(), nxt[1]
                    for later in sorted(interest):  # the interest of the invoices due by the payment day first
                        if month_end(month_start_after(later, 1)) <= paid_at:
                            # an invoice whose credits exceed its charges owes nothing: its interest is netted
                            payable = min(interest[later], _invoice(later, by_month[later]).total)
                            unpaid = max(0, payable - prepaid.get(later, 0))
                            prepaid[later] = prepaid.get(later, 0) + min(unpaid, left)
                            left -= min(unpaid, left)
                    if left == 0:
                        continue
                take = min(owed, left)
                owed -= take
                left -= take
                bearing = take - min(interest_first, take)  # interest bears none of its own
                interest_first -= take - bearing
                yen = bearing * max(0, (paid_at - invoice.due).days) * INTEREST_PER_MILLE_YEAR // (1000 * 365)
                if yen > 0:
                    billed_on = paid_at.replace(day=1)
                    by_month.setdefault(billed_on, []).append(Line("charge", "ITS-16", yen, False, paid_at))
                    interest[billed_on] = interest.get(billed_on, 0) + yen
        return [done[m] for m in sorted(done)]


def _units(quantity: int, per: int) -> int:
    return -(-quantity // per)  # each started block of `per` units is charged


def _invoice(month: date, lines: list[Line]) -> Invoice:
    amount = sum(line.amount if line.kind == "charge" else -line.amount for line in lines)
    taxed = sum(line.amount if line.kind == "charge" else -line.amount for line in lines if line.taxed)
    tax = abs(taxed) * TAX_PERCENT // 100 * (1 if taxed >= 0 else -1)  # 第28条3: the fraction cut, once per invoice
    return Invoice(month, lines, amount, tax, month_end(month_start_after(month, 1)))


def evaluate(customer, readings: frozenset = frozenset()) -> list[Invoice]:
    """The invoices of one customer of the portfolio. `readings`: names from PROJECT_READINGS to take instead of
    the text's (only to explain a difference)."""
    account = _Account(dict(customer.params), frozenset(readings))
    # what is known on the as-of day: nothing of a later day, and an outage only up to the end of that day
    day_end = datetime.combine(customer.as_of + timedelta(days=1), time(0), JST)
    for row in sorted(customer.rows, key=lambda r: r.at):
        name, f, at = row.event, row.fields, row.at
        d = at.astimezone(JST).date()
        if d > customer.as_of:
            continue
        if name == "service_start":
            account.service_start(d, f["plan"])
        elif name in ("mailbox_plus_start", "external_contract"):
            item = f.get("service", "mailbox_plus")
            if account.holding(item, d) is None:
                account.start(item, d, 1)
        elif name == "option_order":
            account.option_order(d, f["option"], f.get("quantity", 1), f["desired"])
        elif name == "option_cancel":
            account.option_cancel(d, f["option"], f["desired"])
        elif name == "usage":
            account.usage(at, d, f["option"], f["quantity"])
        elif name == "plan_change":
            account.plan_change(d, f["from"], f["to"])
        elif name == "spam_scan_setting":
            if d <= LAST_SPAM_SCAN_ORDER:
                account.charge("ITS-8", SPAM_SCAN_FEE, d)
        elif name == "domain_request":
            account.domain_request(d, f["work"], f["tld"])
        elif name == "outage":
            account.outage(at, min(f["until"], day_end), f.get("cause", "provider"))
        elif name == "reduction_claim":
            account.claims.append(d)
        elif name == "payment":
            account.payments.append((at, f["amount"]))
        elif name == "evasion":
            account.evasion(d, f["amount"])
        elif name == "cancel_notice":
            account.cancel_notice(d, f["desired_end"])
        elif name == "interruption_termination":
            account.end_contract(d, "interruption_termination")  # 第25条2: the day the notice arrives
        # suspension (第27条: fees run), maintenance and discontinuation notices, inheritance: nothing to bill
    return account.bill(customer.as_of)
