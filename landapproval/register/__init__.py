"""The case register (统计台账, 临政发〔2024〕7号 七(三)): cases across counties and years, their
versions, decisions and dated events, the quota ledger, the cross-case rules of rules/register.yaml,
the 七(三) report and `reevaluate` under another rule book. SQLite by default, PostgreSQL when shared."""

from landapproval.register.store import Added, Register

__all__ = ["Register", "Added"]
