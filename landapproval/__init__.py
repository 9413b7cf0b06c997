"""landapproval: who approves a Linfen land-use application, and what still blocks it.

    >>> import landapproval
    >>> decision = landapproval.evaluate("cases/city-authorized-batch.yaml")
    >>> decision.conversion.level
    'city'

Results (`Decision` and its parts) are immutable values; errors are `LandApprovalError`
subclasses with structured fields and a CLI `exit_code`. See docs/embedding.md.
"""

from landapproval.api import evaluate, evaluate_text, load_case, read_case_text, validate
from landapproval.core.errors import (CalendarError, EngineError, InputError, LandApprovalError, Problem,
                                      RuleError, UnknownLanguageError)
from landapproval.core.values import Message
from landapproval.decision.model import (Authority, Check, CheckStatus, Decision, Finding, FindingKind, Level,
                                         Mode, Severity, Step, StepStatus, StoredDecisionError)
from landapproval.contract.models import Case
from landapproval.law import Law

__all__ = ["evaluate", "evaluate_text", "read_case_text", "validate", "load_case",
           "Decision", "Authority", "Check", "Step", "Finding", "Message", "Case", "Law",
           "CheckStatus", "StepStatus", "Severity", "FindingKind", "Level", "Mode",
           "LandApprovalError", "InputError", "Problem", "RuleError", "EngineError", "CalendarError",
           "UnknownLanguageError", "StoredDecisionError"]
