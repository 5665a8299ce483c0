"""Regenerates ../../errors.md from the files here: each CODE.ctr is the failing example, and the
message shown is what `yakkan check CODE.ctr` prints. Run from this folder: ../../../.venv/bin/python gen.py"""
import subprocess, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from interpreter.diagnostics import CODES

XFAIL: dict[str, str] = {}
# code -> (when it happens, fix)
TEXT = {
 "E100": ("`yakkan check` or `yakkan run` does not read the file: its name does not end in `.ctr`; it is a folder, a device, a FIFO or a socket rather than a regular file; it is larger than 16 MiB (a scenario: 1 MiB); or it cannot be opened. Nothing is read from a refused file, so its content never appears in a message. (A path that does not exist is a usage error: `yakkan: error: no such file or folder`, exit status 2.)",
          "Check the path, the permissions and the file size."),
 "E101": ("The file is not UTF-8, for example because it was saved in Shift_JIS. The message gives the offset of the first bad byte.",
          "Save the file as UTF-8, e.g. `iconv -f SHIFT_JIS -t UTF-8 old.ctr > new.ctr`. A byte-order mark is allowed."),
 "E102": ("The parser met a token that cannot come next. When the token starts a line and a `;` would have fitted, the message says a `;` is missing; the parser then inserts it and goes on, so later problems are still reported. A few common mistakes get a tailored message (a fee's amount after its items, a rule without an id).",
          "Add the missing `;`, or rewrite the construct as the hint's list of expected tokens suggests. A word used as a name that the grammar expects as a keyword at that point also gives E102: rename it."),
 "E103": ("The file ends inside a declaration, usually because a `}` is missing.",
          "Close every `{` you opened."),
 "E104": ("A string `\"…` or `「…` is not closed before the end of its line. Strings cannot span lines.",
          "Add the closing `\"` or `」`."),
 "E105": ("A character that cannot start any token, such as `@` or `$`.",
          "Remove it, or write the construct the hint suggests (`for basic`, not `@ basic`)."),
 "E106": ("Brackets are nested more than 120 deep, or an expression is nested too deep to evaluate. No real contract comes near this; it protects the later stages from hostile input.",
          "Split the expression with `let` bindings."),
 "E107": ("A date that does not exist (February 30, 令和 year 0, an era year past the era's end), a date-time with an impossible time, a `closed every` day that is not a day of the year, or `day N of month` with N outside 1–31.",
          "Write a real date. ISO (`2025-04-01`), `2025年4月1日` and era dates (`令和7年4月1日`) are all accepted."),
 "E108": ("A number with more than 18 digits before the point or more than 12 after it, or an `Nth business day` with N above 1,000. Amounts are computed exactly (no rounding to 28 digits as Python's default would); these bounds keep every amount, count and duration a contract can produce exact, and a result of 10^25 or more is an error when a scenario is evaluated (E611).",
          "Write the figure the terms state. No real fee, count or duration comes near 10^18."),
 "E109": ('A statement or function the language had for one clause of one contract, and has replaced by a general form (see [Constructs written for one kind of clause](language.md#constructs-written-for-one-kind-of-clause)): the statements `ITEM accepts orders … until D`, `ITEM service ends D`, `quantity of ITEM never decreases`, `distinct FIELD across ITEMS` and `… on monthly maximum` (reported by the parser, on the line it stops at), and the function `fees_paid(a, b)`. The hint names the general form that says the same.',
          'Write the general form the hint names; the table in language.md shows each retired form beside it.'),
 "E201": ("A name, unit, function or convention that is not declared. The hint names the closest declared one.",
          "Fix the spelling, or declare it (`param`, `unit`, `plan` …, or `let` inside a charge)."),
 "E202": ("Two declarations of the same kind share a name (two plans `basic`, two enums), a second `contract` header, or an event with two fields of the same name. Items, options, plans and features share one namespace.",
          "Rename one of them. To change a declaration in a later version of the terms, put the new one in an `amendment`."),
 "E203": ("Two rules in the same version have the same id.",
          "Give each rule its own id; number parts of one article `ITS-5a`, `ITS-5b`."),
 "E204": ("A statement names an item (in `for …`, `requires`, `ends with`, …) that no `plan`, `option`, `item` or `feature` declares.",
          "Declare the item or fix the name."),
 "E205": ("A statement names an event (`on EVENT`, `when EVENT`, `met by`, `via`, `unless ended by`, `limit … on`, an aggregate) that is not declared.",
          "Declare it with `event NAME { … }`."),
 "E206": ("`x.name` where x has no such field or attribute: an event field that is not declared, `until`/`duration` on an event that is not `interval`, or an unknown attribute of `contract` or `month`. Also `ITEM.FIELD` when no event has a field of that name (an item's attributes are its lifecycle dates, its quantity and the fields of the event that ordered it).",
          "Use a declared field (the hint lists them) or declare it in the event."),
 "E207": ("A type in a `param` or event field that is not a built-in type, a declared unit or a declared enum; or `X per UNIT` where X is not `money` or the unit is unknown.",
          "Use one of money, number, percent, count, date, datetime, days, hours, minutes, months, years, text, bool, plan, option, item, feature, a declared unit or enum, or `money per UNIT`. (The unknown type also makes the default mismatch, hence the second error.)"),
 "E208": ("A name of the wrong kind: an event where an item is expected, an item where a value is expected.",
          "Use a name of the kind the statement expects."),
 "E301": ("Arithmetic or a comparison between values whose units do not combine: money plus a duration, a date compared with money, the two branches of an `if` of different types, a tax rate that is not a percentage, `N days before X` in a month expression.",
          "Convert first. To turn a duration into a number, divide by a duration: `floor(outage.duration / 24 hours) × fee ÷ 30`."),
 "E302": ("A value of the wrong type where the statement needs a specific one: a minimum term that is not a duration, a condition that is not true/false, a deadline that is not a date, a parameter default of another type, a function called with the wrong number or type of arguments.",
          "Write a value of the type the message names."),
 "E303": ("An exact duration (minutes, hours, days, weeks) combined or compared with a calendar one (months, years). One month is not a fixed number of days, so there is no right answer.",
          "Keep the families apart: compare months with months, or use `expiry of`, `days from … through …` or a date comparison."),
 "E304": ("A rule's `when`/`unless` names something known only on a customer's timeline: an event, a named state, `contract`'s dates, an item's dates or quantity, or a timeline query such as `unpaid_periods`. A rule's condition is decided once per customer, from its parameters and reading choices, before any event; such a condition could never hold there.",
          "Test the timeline inside the rule: `reject \"…\" on EVENT where unpaid_periods(EVENT.date) < 2;`, or a statement's `where`/`require`."),
 "E401": ("A rule has no citation, an empty one, or a quoted citation that names no article (a title written where the article belongs). Every ledger entry shows the article it comes from, so a rule must cite one.",
          "Write the article after the id: `rule EX-1 第10条 \"月額料金\" { … }`."),
 "E402": ("A notice's `due` date falls after its `effective` date for some effective date. The checker tries a spread of sample effective dates over two years and reports the first that fails.",
          "Count back from `effective`: `due business day on or before end of month before effective;`."),
 "E403": ("An amendment takes effect on or before the version before it (the base `version … effective` date or the previous amendment).",
          "List amendments in the order they take effect, each with a later date."),
 "E404": ("A required part is missing: no `contract` header; a notice without `effective`; an obligation without `due` or `when`; a charge or credit without `amount`; a state without a value; a monthly fee without `for`; late interest without `days from … through …`; an interval event without `until`; an aggregate other than `count` without the value to gather.",
          "Add the part the message names."),
 "E405": ("A declaration or statement in a place it cannot be, such as a `contract` header inside an amendment.",
          "Move it to the top level, or remove it."),
 "E406": ("A value that is not among those allowed: a convention value, a rounding mode, `allowed`, `if late`, `first month`/`last month`, a fee's `prorate`, `partial month`, a holiday calendar or weekday name, a currency other than JPY, a field named `at` or `event`, `0th business day`, two tax rates starting the same day.",
          "Write one of the values the hint lists (they are all in [language.md](language.md))."),
 "W501": ("A date or amount computation depends on a convention the contract does not declare (see [Conventions that must be declared](language.md#conventions-that-must-be-declared)). Nothing is assumed silently; the warning names what to add. A `tier` without `otherwise` is reported under this code too.",
          "Declare the convention, or state the choice on the statement (`first month full`)."),
 "W502": ("A rule has no statements, so it changes nothing. Articles that decide nothing computable (準拠法, 合意管轄) need no rule.",
          "Write the statements, or remove the rule."),
 "W503": ("A reading of a `choice` is written without the text that says what it means. Every ledger that depends on the choice shows that text, so a reader can tell which reading of the article produced a figure.",
          "Write the reading after its name: `literal \"「解約・解除などにより」を文字どおり読む\";`."),
}
SCEN = {
 "E601": ("The scenario file is not valid YAML (or not UTF-8).", "events:\n  - {at: 2025-04-01, event: service_start\n", "Close the brace: YAML flow mappings must be balanced."),
 "E602": ("The YAML is valid but not a scenario: the top level is not a mapping, an unknown top-level key, `events:` not a list, an event without `at:` or `event:`.", "contract: hosting.ctr\nevent:            # should be `events:`\n  - {at: 2025-04-01, event: service_start}\n", "Use the keys `contract`, `as_of`, `params`, `events`, `expect`."),
 "E603": ("An event's `event:` names an event the contract does not declare.", "events:\n  - {at: 2025-04-01, event: service_begin}   # the contract declares service_start\n", "Use a declared event name; the message suggests the closest one."),
 "E604": ("An event lacks a field its declaration requires (one without a default).", "# event cancel_notice { desired_end: date; }\nevents:\n  - {at: 2025-04-15, event: cancel_notice}\n", "Add the field: `desired_end: 2025-05-31`."),
 "E605": ("An event has a field its declaration does not have.", "events:\n  - {at: 2025-04-15, event: cancel_notice, desired_end: 2025-05-31, reason: moving}\n", "Remove the field, or declare it in the contract's event."),
 "E606": ("A value does not have the declared type: a date that is not a date, money that is not a number, an enum case or item that does not exist, an `as_of` that is not a date.", "events:\n  - {at: 2025-04-15, event: cancel_notice, desired_end: end of May}\n", "Write the value in the declared type: `desired_end: 2025-05-31`."),
 "E607": ("`params:` names a parameter the contract does not declare.", "params:\n  plann: www\n", "Fix the name (`plan`)."),
 "E608": ("The contract declares a parameter without a default and the scenario does not give it.", "# param base_fee: money;\nparams: {}\n", "Give it under `params:`: `base_fee: 10000`."),
 "E609": ("The contract named by `contract:` (or on the command line) cannot be found.", "contract: ../contracts/hostng.ctr\n", "Fix the path; it is relative to the scenario file."),
 "E610": ("The scenario's `contract:` does not name a `.ctr` file inside the scenario's repository: the nearest folder above the scenario holding `.git`, or the scenario's own folder when there is none. Symbolic links are followed before the check, so a link to a file elsewhere is refused too. A contract given on the command line is not limited; `--root DIR` lets `contract:` name any `.ctr` file under DIR.", "contract: /etc/passwd\n", "Name the contract inside the repository, or give it on the command line: `yakkan run CONTRACT.ctr --scenario FILE`."),
 "E611": ("Evaluating the scenario produced a value outside what can be represented: a date before 0001-01-01 or after 9999-12-31 (`9999-12-31 + 1 day`, a term of a million months, `effective - 2147483648 days`), an amount of 10^25 or more, a business day in a year whose Japanese holidays are not known (before 1949 or after 2099, see [language.md](language.md)), or a timeline that produces more than 100,000 ledger entries. The error points at the expression, or the statement, that left the bounds.", "# rule T-1 … { minimum term 1,000,000 months counting from service_start; }\nevents:\n  - {at: 2025-04-01, event: service_start}\n", "Check the figure in the contract, or the dates in the scenario."),
 "E701": ("`yakkan test`: an `expect:` item matches no ledger entry. The report shows the expectation and the nearest entries.", "expect:\n  - {kind: charge, rule: ITS-3, amount: 4500}   # the ledger has 9000\n", "Recompute the expected figure by hand from the terms; if the contract is wrong, fix the rule."),
}

def run(code):
    out = subprocess.run([sys.executable, "-m", "interpreter.cli", "check", f"{code}.ctr"], capture_output=True, text=True)
    return out.stdout + out.stderr

parts = ["""# Errors and warnings

Each problem `yakkan` reports has a code. Errors (E…) stop a contract or scenario from being used;
warnings (W…) do not, but mark a reading the contract has not made explicit. Every message has the form

```text
FILE:LINE:COL: error[CODE]: message
 LINE | the source line
      | ^^^ under the place
  note: another place that contributed
  hint: how to fix it
```

`yakkan check --format json` prints the same as JSON, and `--format github` as GitHub Actions
annotations. `yakkan check` exits with 1 when any error is found, 0 otherwise (warnings do not fail).

Each front-end example below is a complete file, kept in `docs/examples/errors/CODE.ctr`; the output is
what `yakkan check CODE.ctr` prints, and `tests/test_docs.py` checks that each example still gives its
code. Examples marked *xfail* show what the design intends but the checker does not report yet.

| code | title |
|---|---|
"""]
parts[0] += "".join(f"| [{c}](#{c.lower()}) | {t} |\n" for c, t in CODES.items())
section = {"E1": "Reading and syntax", "E2": "Names", "E3": "Types and units", "E4": "Rules and versions",
           "E6": "Scenarios", "E7": "Test expectations", "W5": "Warnings"}
seen = set()
for code, title in CODES.items():
    if code[:2] not in seen:
        seen.add(code[:2]); parts.append(f"\n# {section[code[:2]]}\n")
    parts.append(f"\n## {code}\n\n**{title}.**")
    if code in SCEN:
        when, yaml, fix = SCEN[code]
        scope = "`yakkan test`" if code == "E701" else "`yakkan run`, `yakkan explain` and `yakkan test`"
        parts.append(f" Reported by {scope} (the scenario interpreter). {when}\n\n```yaml\n{yaml}```\n\n**Fix.** {fix}\n")
        continue
    when, fix = TEXT[code]
    parts.append(f" {when}\n")
    if code == "E100":
        parts.append("\n```console\n$ head -c 17000000 /dev/zero | tr '\\0' '#' > big.ctr && yakkan check big.ctr\nbig.ctr:1:1: error[E100]: the file is 17,000,000 bytes; a contract is at most 16,777,216\n\n1 error, 0 warnings\n```\n")
    elif code == "E101":
        parts.append("\n```console\n$ printf 'contract \\x82\\xa0' > sjis.ctr && yakkan check sjis.ctr\nsjis.ctr:1:10: error[E101]: byte 0x82 at offset 9 is not UTF-8\n  hint: save the file as UTF-8\n\n1 error, 0 warnings\n```\n")
    else:
        src = Path(f"{code}.ctr").read_text(encoding="utf-8")
        mark = f" xfail {XFAIL[code]}" if code in XFAIL else ""
        parts.append(f"\n```ctr error={code}{mark}\n{src}```\n\n")
        parts.append(("What it prints today:" if mark else "Prints:") + f"\n\n```text\n{run(code).rstrip()}\n```\n")
    parts.append(f"\n**Fix.** {fix}\n")
Path("../../errors.md").write_text("".join(parts), encoding="utf-8")
