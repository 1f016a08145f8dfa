"""The G1 and G2 element wrapper shared by the backends: a backend's point ``p`` with the group law written once.

A backend subclasses :class:`BackendPoint` once, supplying its point arithmetic as the hooks ``_add``, ``_neg``,
``_mul``, ``_eq``, ``_is_identity`` and ``_encode`` (and ``_sub`` where it has a faster one than adding the
negation), then names its G1 and G2 classes by combining that subclass with ``G1Element`` or ``G2Element``.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, TypeVar

from ...spec.group import PointElement, Zr, as_int

P = TypeVar("P", bound="BackendPoint")


class BackendPoint(PointElement):
    """An element of G1 or G2 held as the backend's point ``p``."""

    __slots__ = ("p",)

    def __init__(self, p: Any) -> None:
        self.p = p

    # the backend's arithmetic on its points --------------------------------------------------------------------
    @abstractmethod
    def _add(self, a: Any, other: Any) -> Any: ...

    @abstractmethod
    def _neg(self, a: Any) -> Any: ...

    @abstractmethod
    def _mul(self, a: Any, k: int) -> Any: ...

    @abstractmethod
    def _eq(self, a: Any, other: Any) -> bool: ...

    @abstractmethod
    def _is_identity(self, a: Any) -> bool: ...

    @abstractmethod
    def _encode(self, a: Any) -> bytes:
        """The ZCash compressed encoding."""

    def _sub(self, a: Any, other: Any) -> Any:
        return self._add(a, self._neg(other))

    # the group element -----------------------------------------------------------------------------------------
    def __add__(self: P, other: P) -> P:
        return type(self)(self._add(self.p, other.p))

    def __sub__(self: P, other: P) -> P:
        return type(self)(self._sub(self.p, other.p))

    def __neg__(self: P) -> P:
        return type(self)(self._neg(self.p))

    def __mul__(self: P, k: Zr | int) -> P:
        return type(self)(self._mul(self.p, as_int(k)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self._eq(self.p, other.p)

    __hash__ = PointElement.__hash__

    def is_identity(self) -> bool:
        return self._is_identity(self.p)

    def to_bytes(self) -> bytes:
        return self._encode(self.p)
