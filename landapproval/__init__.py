"""landapproval: who approves a Linfen land-use application, and what still blocks it.

    >>> import landapproval
    >>> decision = landapproval.evaluate("cases/city-authorized-batch.yaml")
    >>> decision.conversion.level
    'city'
"""

from landapproval.api import evaluate, evaluate_text, load_case, read_case_text, validate
from landapproval.decision.model import Decision
from landapproval.core.errors import CalendarError, EngineError, InputError, LandApprovalError, RuleError
from landapproval.contract.models import Case
from landapproval.law import Law

__all__ = ["evaluate", "evaluate_text", "read_case_text", "validate", "load_case", "Decision", "Case", "Law",
           "InputError", "RuleError", "EngineError", "CalendarError", "LandApprovalError"]
