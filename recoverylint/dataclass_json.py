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
import itertools
import operator
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
    return decoder(cls, tuple(given))(data, given)


def decoder(cls: type[T], given: tuple[str, ...] = ()) -> Callable[[Any, dict[str, Any]], T]:
    """`from_json` for one class and set of given fields, prepared once: for
    reading many values (`decode(data, {name: value, ...})`)."""
    decode = _DECODERS.get((cls, given))
    if decode is None:
        decode = _DECODERS[cls, given] = _dataclass_decoder(cls, given)
    return decode


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
    kept = [(name, hint, _encoder(hint)) for name, hint in _fields(cls) if name not in leave_out]
    if len(kept) < 2:  # attrgetter of one name gives the value, not a tuple
        return lambda value: [encode_field(getattr(value, name)) for name, _, encode_field in kept]
    # Every field read by one attrgetter (in C), and only the values not
    # stored as they are converted: a cold run filling the result cache
    # writes tens of thousands of findings.
    read_fields = operator.attrgetter(*(name for name, _, _ in kept))
    converters = [(index, encode_field) for index, (_, hint, encode_field) in enumerate(kept) if not _is_plain(hint)]

    def encode(value: Any) -> list[Any]:
        items = list(read_fields(value))
        for index, encode_field in converters:
            items[index] = encode_field(items[index])
        return items

    return encode


def _dataclass_decoder(cls: Any, given: tuple[str, ...]) -> Callable[[Any, dict[str, Any]], Any]:
    fields = _fields(cls)
    unknown = set(given) - {name for name, _ in fields}
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {min(unknown)}")
    if not given:
        read_whole = _dataclass_reader(cls)
        return lambda data, values: read_whole(data)
    read = _array_reader([hint for name, hint in fields if name not in given], f"a {cls.__name__}")
    # Where the given fields go back, in field order (each insert shifts the next).
    inserts = [(position, name) for position, (name, _) in enumerate(fields) if name in given]

    def decode(data: Any, values: dict[str, Any]) -> Any:
        items = read(data)
        for position, name in inserts:
            items.insert(position, values[name])
        return cls(*items)

    return decode


def _dataclass_reader(cls: Any) -> Decoder:
    """The decoder of a whole dataclass value (one stored as a field)."""
    hints = [hint for _, hint in _fields(cls)]
    if all(_is_plain(hint) for hint in hints):
        # A Span: the JSON types of its items are the whole check.
        signatures = _signatures(hints)

        def decode_plain(data: Any) -> Any:
            if type(data) is not list or tuple(map(type, data)) not in signatures:
                raise ShapeError(f"a {cls.__name__} is not written as this array")
            return cls(*data)

        return decode_plain
    read = _array_reader(hints, f"a {cls.__name__}")
    return lambda data: cls(*read(data))


def _array_reader(hints: list[Any], what: str) -> Callable[[Any], list[Any]]:
    """The function checking that data is an array of values of these types,
    returning its items converted (a new list).  The JSON type of every item
    is checked at once, against every combination the types allow (one C
    loop where a call per field would make a warm cache run 3x slower);
    only what is not a plain value is then converted item by item."""
    signatures = _signatures(hints)
    converters = [(index, _decoder(hint)) for index, hint in enumerate(hints) if not _is_plain(hint)]

    def read(data: Any) -> list[Any]:
        if type(data) is not list or tuple(map(type, data)) not in signatures:
            raise ShapeError(f"{what} is not written as this array")
        items = data.copy()
        for index, convert in converters:
            items[index] = convert(items[index])
        return items

    return read


def _signatures(hints: list[Any]) -> frozenset[tuple[type, ...]]:
    """Every combination of the JSON types of an array of values of these types."""
    return frozenset(itertools.product(*[_json_types(hint) for hint in hints]))


_PLAIN = (str, int, bool, float, type(None))


def _is_plain(hint: Any) -> bool:
    """Whether a value of this type is stored as it is (its JSON type says all)."""
    if hint in _PLAIN:
        return True
    origin = typing.get_origin(hint)
    return origin in (typing.Union, types.UnionType) and all(argument in _PLAIN for argument in typing.get_args(hint))


def _json_types(hint: Any) -> frozenset[type]:
    """The types json.loads makes of what `to_json` writes for a value of `hint`."""
    if hint in _PLAIN:
        return frozenset({hint})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return frozenset(type(member.value) for member in hint)
    if (isinstance(hint, type) and dataclasses.is_dataclass(hint)) or typing.get_origin(hint) is tuple:
        return frozenset({list})
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        present = [argument for argument in typing.get_args(hint) if argument is not type(None)]
        found = frozenset({type(None)}) if len(present) < len(typing.get_args(hint)) else frozenset()
        if len(present) == 1:
            return found | _json_types(present[0])
        _union_classes(present)  # a TypeError unless dataclasses only
        return found | {list}
    raise TypeError(f"no JSON conversion for {hint!r}")


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
        return lambda value: [encode(part) for encode, part in zip(items, value, strict=True)]
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
    if hint in _PLAIN:
        return _exactly(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        members = {member.value: member for member in hint}

        def decode_enum(data: Any) -> Any:
            try:
                return members[data]
            except (KeyError, TypeError):  # TypeError: a list or an object, unhashable
                raise ShapeError(f"not a {hint.__name__}") from None

        return decode_enum
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_reader(hint)
    if origin is tuple:
        return _tuple_decoder(arguments)
    if origin in (typing.Union, types.UnionType):
        present = [argument for argument in arguments if argument is not type(None)]
        inner = _decoder(present[0]) if len(present) == 1 else _union_decoder(_union_classes(present))
        if len(present) == len(arguments):
            return inner
        return lambda data: None if data is None else inner(data)
    raise TypeError(f"no JSON conversion for {hint!r}")


def _tuple_decoder(arguments: Sequence[Any]) -> Decoder:
    if len(arguments) == 2 and arguments[1] is Ellipsis:
        item = arguments[0]
        if item in _PLAIN:
            allowed = frozenset({item})

            def decode_plain(data: Any) -> tuple[Any, ...]:
                if type(data) is not list or not allowed.issuperset(map(type, data)):
                    raise ShapeError(f"expected an array of {item.__name__}")
                return tuple(data)

            return decode_plain
        decode_item = _decoder(item)

        def decode_items(data: Any) -> tuple[Any, ...]:
            if type(data) is not list:
                raise ShapeError("expected an array")
            if not data:  # most findings relate to no other place
                return ()
            return tuple([decode_item(part) for part in data])

        return decode_items
    read = _array_reader(list(arguments), f"a tuple of {len(arguments)}")
    return lambda data: tuple(read(data))


def _union_decoder(classes: tuple[type, ...]) -> Decoder:
    by_name = {cls.__name__: _dataclass_reader(cls) for cls in classes}

    def decode_member(data: Any) -> Any:
        if type(data) is not list or not data or type(data[0]) is not str or data[0] not in by_name:
            raise ShapeError("expected [class name, field, ...] of a known class")
        return by_name[data[0]](data[1:])

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
