"""The statement kinds of the language: one module per kind, holding what the kind means.

Each module defines a `…Checks` mixin (its checks, run by the checker before any customer) and a
`…Evaluation` mixin (what it does on a customer's timeline, with the explanation of every figure it writes).
The checker and the evaluation are composed from the mixins listed here; adding a kind is one module, one
line in each list below, and its tests.
"""
from __future__ import annotations

from interpreter.statements.billing import BillingChecks, BillingEvaluation
from interpreter.statements.choice import ChoiceChecks, ChoiceEvaluation
from interpreter.statements.constraints import ConstraintsChecks, ConstraintsEvaluation
from interpreter.statements.conventions import ConventionsChecks, ConventionsEvaluation
from interpreter.statements.effect import EffectChecks, EffectEvaluation
from interpreter.statements.actions import ActionsChecks, ActionsEvaluation
from interpreter.statements.emit import EmitChecks, EmitEvaluation
from interpreter.statements.fee import FeeChecks, FeeEvaluation
from interpreter.statements.interest import InterestChecks, InterestEvaluation
from interpreter.statements.notice import NoticeChecks, NoticeEvaluation
from interpreter.statements.obligation import ObligationChecks, ObligationEvaluation
from interpreter.statements.payments import PaymentsChecks, PaymentsEvaluation
from interpreter.statements.periods import PeriodsChecks, PeriodsEvaluation
from interpreter.statements.refund import RefundChecks, RefundEvaluation
from interpreter.statements.settle import SettleChecks, SettleEvaluation
from interpreter.statements.terms import TermsChecks, TermsEvaluation

STATEMENT_CHECKS = (ConventionsChecks, TermsChecks, NoticeChecks, ObligationChecks, FeeChecks, SettleChecks,
                    BillingChecks, PaymentsChecks, PeriodsChecks, InterestChecks, EmitChecks, ConstraintsChecks,
                    ActionsChecks, EffectChecks, RefundChecks, ChoiceChecks)
STATEMENT_EVALUATIONS = (ConventionsEvaluation, TermsEvaluation, NoticeEvaluation, ObligationEvaluation,
                         FeeEvaluation, SettleEvaluation, BillingEvaluation, PaymentsEvaluation, PeriodsEvaluation,
                         InterestEvaluation, EmitEvaluation, ConstraintsEvaluation, ActionsEvaluation,
                         EffectEvaluation, RefundEvaluation, ChoiceEvaluation)
