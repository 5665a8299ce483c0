"""The words of a ledger printed for people, in the contract's language: Japanese terms get Japanese
headings (請求書, 小計, 義務…), parties, statuses and Japanese labels for the entries the interpreter names
itself (「2025年5月分請求書の支払」 for `payment of the invoice for 2025-05`); `--lang en` keeps English.

Only the text rendering changes. The JSON ledger (docs/interface.md) keeps the interpreter's labels, so a
scenario's `expect:` items and every tool reading the JSON see the same values whatever the language.
"""
from __future__ import annotations

import re

from interpreter.run.ledger import CREDIT_SETTLED

LANGUAGES = ("ja", "en")

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")

# key -> (English, Japanese); `{…}` are filled in by the renderer
WORDS: dict[str, tuple[str, str]] = {
    "as_of": ("as of {date}", "{date} 時点"),
    "version": ("version {version}", "版 {version}"),
    "invoice": ("Invoice {month}", "請求書 {month}分"),
    "invoice_due": (", due {date}", "、支払期日 {date}"),
    "subtotal": ("subtotal", "小計"),
    "tax": ("consumption tax", "消費税"),
    "total": ("total", "合計"),
    "pending": ("Credits and charges not (yet) owed", "請求の対象でない料金・減額"),
    "paid_out": ("Refunds paid out (outside any invoice)", "返金（契約者の口座への振込、請求書外）"),
    "window": (" window {start}–{end}", " 請求期間 {start}〜{end}"),
    "obligations": ("Obligations", "義務"),
    "findings": ("Findings", "指摘事項"),
    "states": ("Derived facts", "導かれる事実"),
    "due": ("due {date}", "期日 {date}"),
    "totals": ("Totals: charges {charge} yen, credits {credit} yen, tax {tax} yen",
               "合計: 料金 {charge}円、減額 {credit}円、消費税 {tax}円"),
    "totals_paid_out": (", refunds paid out {amount} yen", "、返金（振込） {amount}円"),
}
PARTIES = {"customer": "契約者", "provider": "当社", "either": "各当事者"}
OBLIGATION_STATUSES = {"met": "履行", "missed": "不履行", "open": "未了", "lapsed": "消滅"}
CREDIT_STATUSES = {"claimed": "請求済", "open": "未請求", "lapsed": "請求期限切れ", "paid out": "振込",
                   "to be deducted": "後の料金から減額", "waived": "免除"}

# The labels the interpreter gives entries it names itself (interpreter/run/, interpreter/statements/), in Japanese.
# Tried in order; the first pattern that matches the whole label wins.
_LABELS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), ja) for p, ja in (
    (r"payment of the invoice for (\d{4})-0?(\d{1,2})", r"\1年\2月分請求書の支払"),
    (r"invoice for (\d{4})-0?(\d{1,2})", r"\1年\2月分の請求書"),
    (r"payment of the invoice for (\d{4}-\d{2}-\d{2})–(\d{4}-\d{2}-\d{2})", r"\1〜\2分請求書の支払"),
    (r"invoice for (\d{4}-\d{2}-\d{2})–(\d{4}-\d{2}-\d{2})", r"\1〜\2分の請求書"),
    (r"contract ends", "契約の終了"),
    (r"contract starts", "契約の開始"),
    (r"minimum term ends", "最低利用期間の満了"),
    (r"minimum term of (.+) ends", r"\1の最低利用期間の満了"),
    (r"term ends and renews", "契約期間の満了と更新"),
    (r"term ends", "契約期間の満了"),
    (r"version in force", "適用される約款の版"),
    (r"reading choice ([^:]+): (.+)", r"解釈の選択 \1: \2"),
    (r"claim deadline: (.+)", r"\1の請求期限"),
    (r"claim before the window opened: (.+)", r"\1の請求（請求し得ることとなった日より前の請求は効力がない）"),
    (r"(.+) never starts: it would end with (.+)", r"\2が開始前に終了するため\1は開始しない"),
    (r"(.+) ends with (.+)", r"\2の終了に伴う\1の終了"),
    (r"overpayment refunded", "過払金の返還"),
    (r"overpayment", "過払金"),
    (r"debts fall due", "期限の利益の喪失（全債務の弁済期の到来）"),
    (r"service suspended", "利用停止"),
    (r"fees waived \((.+)\)", r"料金の免除（\1）"),
    (r"(.+) changes quantity", r"\1の数量変更"),
    (r"(.+) starts", r"\1の開始"),
    (r"(.+) ends", r"\1の終了"),
    (r"(.+) stops", r"\1の停止"),
    (r"(.+) changes", r"\1の変更"),
))


def language_of(contract_name: str) -> str:
    """'ja' for terms named in Japanese, else 'en'."""
    return "ja" if _JAPANESE.search(contract_name or "") else "en"


class Wording:
    """The words of one rendering, in one language."""

    def __init__(self, lang: str) -> None:
        self.japanese = lang == "ja"

    def __call__(self, key: str, **values) -> str:
        return WORDS[key][1 if self.japanese else 0].format(**values)

    def month(self, d) -> str:
        return f"{d.year}年{d.month}月" if self.japanese else f"{d:%Y-%m}"

    def label(self, text: str) -> str:
        if not self.japanese:
            return text
        for pattern, ja in _LABELS:
            if pattern.fullmatch(text):
                return pattern.sub(ja, text)
        return text

    def note(self, text: str) -> str:
        """A note on an entry: only the interpreter's notes on how an invoice was paid are worded; other notes are
        sentences."""
        if self.japanese and (m := re.fullmatch(r"paid (\d{4}-\d{2}-\d{2})", text)):
            return f"{m[1]} 支払"
        if self.japanese and text == CREDIT_SETTLED:
            return "前の請求書の減額により充当"
        return text

    def party(self, party: str | None) -> str:
        return PARTIES.get(party or "", party or "") if self.japanese else party or ""

    def status(self, status: str | None, kind: str) -> str:
        table = OBLIGATION_STATUSES if kind == "obligation" else CREDIT_STATUSES
        return table.get(status or "", status or "") if self.japanese else status or ""
