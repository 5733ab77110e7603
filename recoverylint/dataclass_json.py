"""Frozen dataclasses to JSON data and back, read from their own type hints.

A dataclass is written as the array of its fields in declaration order
(arrays parse faster and take less room than objects, and the result cache
reads tens of thousands of findings on a warm run); a field typed as a union
of dataclasses is written `[class name, field, ...]`.  Reading back accepts
exactly what writing makes, type by type (`true` is not an int, `1.0` is
not an int, a list of the wrong length is refused), and raises ShapeError
otherwise: data read from disk is never trusted to have the shape it claims.

Supported field types: str, int, bool, float, None, Enum subclasses (by
value), dataclasses, `Optional[X]`, `Union` of dataclasses, `tuple[X, ...]`
and `tuple[X, Y]`.  Any other type is a TypeError when the converter is
first built, so that a new field cannot silently be stored wrong.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]


class ShapeError(ValueError):
    """JSON data that is not exactly what `to_json` writes for the type."""


def to_json(value: Any, leave_out: tuple[str, ...] = ()) -> list[Any]:
    """A dataclass instance as JSON data (lists, strings, numbers, booleans,
    None), without the fields named in `leave_out`."""
    encode = _ENCODERS.get((type(value), leave_out))
    if encode is None:
        encode = _ENCODERS[type(value), leave_out] = _dataclass_encoder(type(value), leave_out)
    return encode(value)  # type: ignore[no-any-return]


def from_json(cls: type[T], data: Any, **given: Any) -> T:
    """The `cls` instance that `to_json` wrote as `data`; the fields that were
    left out are passed as keywords.  Raises ShapeError."""
    names = tuple(given)
    decode = _DECODERS.get((cls, names))
    if decode is None:
        decode = _DECODERS[cls, names] = _dataclass_decoder(cls, names)
    return decode(data, given)  # type: ignore[no-any-return]


# The converters of each class (and fields left out), built at first use.
_ENCODERS: dict[tuple[type, tuple[str, ...]], Encoder] = {}
_DECODERS: dict[tuple[type, tuple[str, ...]], Callable[[Any, dict[str, Any]], Any]] = {}


@cache
def _fields(cls: Any) -> tuple[tuple[str, Any], ...]:
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    hints = typing.get_type_hints(cls)
    return tuple((field.name, hints[field.name]) for field in dataclasses.fields(cls))


def _dataclass_encoder(cls: Any, leave_out: tuple[str, ...]) -> Encoder:
    parts = [(name, _encoder(hint)) for name, hint in _fields(cls) if name not in leave_out]

    def encode(value: Any) -> list[Any]:
        return [encode_field(getattr(value, name)) for name, encode_field in parts]

    return encode


def _dataclass_decoder(cls: Any, given: tuple[str, ...]) -> Callable[[Any, dict[str, Any]], Any]:
    names = [name for name, _ in _fields(cls)]
    unknown = set(given) - set(names)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {min(unknown)}")
    stored = [(name, _decoder(hint)) for name, hint in _fields(cls) if name not in given]
    decoders = [decode for _, decode in stored]
    stored_names = [name for name, _ in stored]
    count = len(stored)

    def decode(data: Any, values: dict[str, Any]) -> Any:
        if type(data) is not list or len(data) != count:
            raise ShapeError(f"a {cls.__name__} is an array of {count}")
        if not values:
            return cls(*[decode_field(item) for decode_field, item in zip(decoders, data)])
        fields = dict(values)
        for name, decode_field, item in zip(stored_names, decoders, data):
            fields[name] = decode_field(item)
        return cls(**fields)

    return decode


def _encoder(hint: Any) -> Encoder:
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if hint in (str, int, bool, float, type(None)):
        return _same
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_encoder(hint, ())
    if origin is tuple:
        items = [_encoder(argument) for argument in arguments if argument is not Ellipsis]
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            (item,) = items
            return lambda value: [item(part) for part in value]
        return lambda value: [encode(part) for encode, part in zip(items, value)]
    if origin in (typing.Union, types.UnionType):
        present = [argument for argument in arguments if argument is not type(None)]
        if len(present) == 1:  # Optional[X]
            inner = _encoder(present[0])
            return lambda value: None if value is None else inner(value)
        tagged = {cls: _dataclass_encoder(cls, ()) for cls in _union_classes(present)}
        optional = len(present) < len(arguments)

        def encode_member(value: Any) -> Any:
            if value is None and optional:
                return None
            return [type(value).__name__, *tagged[type(value)](value)]

        return encode_member
    raise TypeError(f"no JSON conversion for {hint!r}")


def _decoder(hint: Any) -> Decoder:
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if hint in (str, int, bool, float, type(None)):
        return _exactly(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        members = {member.value: member for member in hint}

        def decode_enum(data: Any) -> Any:
            if type(data) not in (str, int) or data not in members:
                raise ShapeError(f"not a {hint.__name__}")
            return members[data]

        return decode_enum
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        decode_dataclass = _dataclass_decoder(hint, ())
        return lambda data: decode_dataclass(data, {})
    if origin is tuple:
        return _tuple_decoder(arguments)
    if origin in (typing.Union, types.UnionType):
        present = [argument for argument in arguments if argument is not type(None)]
        optional = len(present) < len(arguments)
        if len(present) == 1:
            inner = _decoder(present[0])
        else:
            inner = _union_decoder(_union_classes(present))
        if not optional:
            return inner
        return lambda data: None if data is None else inner(data)
    raise TypeError(f"no JSON conversion for {hint!r}")


def _tuple_decoder(arguments: Sequence[Any]) -> Decoder:
    if len(arguments) == 2 and arguments[1] is Ellipsis:
        item = arguments[0]
        if item in (str, int, bool, float):
            # The common case (step ids) checked in one loop, not one call per item.
            def decode_plain(data: Any) -> tuple[Any, ...]:
                if type(data) is not list:
                    raise ShapeError("expected an array")
                for part in data:
                    if type(part) is not item:
                        raise ShapeError(f"expected an array of {item.__name__}")
                return tuple(data)

            return decode_plain
        decode_item = _decoder(item)

        def decode_items(data: Any) -> tuple[Any, ...]:
            if type(data) is not list:
                raise ShapeError("expected an array")
            return tuple([decode_item(part) for part in data])

        return decode_items
    decoders = [_decoder(argument) for argument in arguments]
    count = len(decoders)

    def decode_fixed(data: Any) -> tuple[Any, ...]:
        if type(data) is not list or len(data) != count:
            raise ShapeError(f"expected an array of {count}")
        return tuple([decode(part) for decode, part in zip(decoders, data)])

    return decode_fixed


def _union_decoder(classes: tuple[type, ...]) -> Decoder:
    by_name = {cls.__name__: _dataclass_decoder(cls, ()) for cls in classes}

    def decode_member(data: Any) -> Any:
        if type(data) is not list or not data or type(data[0]) is not str or data[0] not in by_name:
            raise ShapeError("expected [class name, field, ...] of a known class")
        return by_name[data[0]](data[1:], {})

    return decode_member


def _union_classes(members: list[Any]) -> tuple[type, ...]:
    classes = tuple(members)
    if not all(isinstance(cls, type) and dataclasses.is_dataclass(cls) for cls in classes):
        raise TypeError(f"no JSON conversion for a union of {classes!r}: only dataclasses are tagged")
    if len({cls.__name__ for cls in classes}) != len(classes):
        raise TypeError(f"two classes of one name in {classes!r}")
    return classes


def _same(value: Any) -> Any:
    return value


def _enum_value(value: Any) -> Any:
    return value.value


def _exactly(kind: type) -> Decoder:
    def decode(data: Any) -> Any:
        # Exact types: json.loads makes only dict, list, str, int, float,
        # bool and None, and `true` must not pass for 1.
        if type(data) is not kind:
            raise ShapeError(f"expected {kind.__name__}")
        return data

    return decode
