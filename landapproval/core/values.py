"""Values that cannot be changed in place: the parts a decision (and the rule book) hand out.

- `Message`: one text in Chinese and English, frozen. It reads like the ``{"zh": …, "en": …}``
  dict it replaces (``message["zh"]``, ``dict(message)``, ``message == {"zh": …, "en": …}``) and
  like a sentence (``message.zh``, ``message("en")``), but assigning to it raises.
- `FrozenDict` / `FrozenList`: a dict and a list whose changing methods raise `TypeError`. They
  are still a `dict` and a `list` (JSON encoders, ``isinstance`` checks and ``==`` work as
  before), and they pickle and deep-copy as themselves (process pools send decisions back).
- `freeze(value)`: a value with every dict and list inside it frozen (a private copy: the
  caller's containers are never shared with the result).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NoReturn, TypeVar, overload

LANGS = ("zh", "en")

_T = TypeVar("_T")
_K = TypeVar("_K")
_V = TypeVar("_V")


def _refuse(self: object, *args: object, **kwargs: object) -> NoReturn:
    raise TypeError(f"{type(self).__name__} is immutable: a decision's parts are values "
                    f"(copy it with dict(...) or list(...) to change it)")


class FrozenDict(dict[_K, _V]):
    """A dict that refuses every change in place (still a dict for encoders and ``==``)."""

    __slots__ = ()
    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __copy__(self) -> "FrozenDict[_K, _V]":
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> "FrozenDict[_K, _V]":
        return self  # nothing inside can change: sharing it is safe


class FrozenList(list[_T]):
    """A list that refuses every change in place (still a list for encoders and ``==``)."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (list(self),))

    def __copy__(self) -> "FrozenList[_T]":
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> "FrozenList[_T]":
        return self


class Message(FrozenDict[str, str]):
    """One text in both languages, immutable: ``.zh``, ``.en``, ``message("en")``, ``message["en"]``.

    It is the ``{"zh": …, "en": …}`` dict it replaces, frozen: JSON encoders, ``dict(message)``
    and ``message == {"zh": …, "en": …}`` work as before; any change raises."""

    __slots__ = ()

    def __init__(self, zh: str, en: str) -> None:
        dict.__init__(self, zh=str(zh), en=str(en))

    @property
    def zh(self) -> str:
        return dict.__getitem__(self, "zh")

    @property
    def en(self) -> str:
        return dict.__getitem__(self, "en")

    @classmethod
    def of(cls, value: "Mapping[str, str]") -> "Message":
        """A Message from a ``{"zh", "en"}`` mapping (itself if it already is one)."""
        if isinstance(value, Message):
            return value
        return cls(value["zh"], value["en"])

    @classmethod
    def maybe(cls, value: "Mapping[str, str] | None") -> "Message | None":
        return None if value is None else cls.of(value)

    def __call__(self, lang: str = "zh") -> str:
        return self[lang]

    def __repr__(self) -> str:
        return f"Message(zh={self.zh!r}, en={self.en!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.zh, self.en))

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@overload
def freeze(value: dict[_K, _V]) -> FrozenDict[_K, _V]: ...
@overload
def freeze(value: list[_T]) -> FrozenList[_T]: ...
@overload
def freeze(value: _T) -> _T: ...
def freeze(value: Any) -> Any:
    """`value` with every dict, list and tuple inside it frozen; already frozen parts are kept.
    Dicts and lists are copied, so the caller's own containers are never handed out."""
    kind = type(value)
    if kind in _ATOMS or kind is FrozenDict or kind is FrozenList or kind is Message:
        return value
    if kind is dict or isinstance(value, dict):
        if _SETTLED.issuperset(map(type, value.values())):  # flat (most fact sets): copied in C
            return FrozenDict(value)
        return FrozenDict({key: item if type(item) in _ATOMS else freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return FrozenList(item if type(item) in _ATOMS else freeze(item) for item in value)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(freeze(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(freeze(item) for item in value)
    return value


_ATOMS = frozenset({str, int, bool, float, type(None), Decimal, dt.date, dt.datetime})
_SETTLED = _ATOMS | {FrozenDict, FrozenList, Message}  # values a frozen dict may hold as they are


__all__ = ["Message", "FrozenDict", "FrozenList", "freeze"]
