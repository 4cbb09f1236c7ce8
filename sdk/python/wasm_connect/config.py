"""Configuration: definitions (:class:`ConfigDef`, :class:`ConfigKey`) and values (:class:`Config`)."""

from collections.abc import Mapping
from enum import Enum
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from .errors import PluginError

__all__ = [
    "ConfigType",
    "Importance",
    "PathAccess",
    "NonEmptyString",
    "Range",
    "OneOf",
    "ValidRegex",
    "ConfigKey",
    "ConfigDef",
    "ConfigError",
    "Config",
    "REQUIRED",
]


class _Required:
    """Marker for "no default": the key is required."""

    _instance: Optional["_Required"] = None

    def __new__(cls) -> "_Required":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "REQUIRED"

    def __bool__(self) -> bool:
        return False


#: Default of a required key / getter argument meaning "raise if absent".
REQUIRED: Any = _Required()


class ConfigType(Enum):
    """Kafka's ``ConfigDef.Type``."""

    BOOLEAN = "boolean"
    STRING = "string"
    INT = "int"
    SHORT = "short"
    LONG = "long"
    DOUBLE = "double"
    LIST = "list"
    CLASS = "class"
    PASSWORD = "password"


class Importance(Enum):
    """Kafka's ``ConfigDef.Importance``."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class PathAccess(Enum):
    """How the plugin uses a path named by a config value: the host grants exactly this access
    (the file's directory for files, the directory itself for directories)."""

    NONE = "none"
    READ_FILE = "read-file"
    WRITE_FILE = "write-file"
    READ_DIR = "read-dir"
    WRITE_DIR = "write-dir"


class NonEmptyString:
    """Validator: the value must not be empty."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NonEmptyString)

    def __repr__(self) -> str:
        return "NonEmptyString()"


class Range:
    """Validator: a number within inclusive bounds; either may be ``None``."""

    def __init__(self, min: Optional[float] = None, max: Optional[float] = None) -> None:
        self.min = None if min is None else float(min)
        self.max = None if max is None else float(max)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Range) and (self.min, self.max) == (other.min, other.max)

    def __repr__(self) -> str:
        return f"Range(min={self.min}, max={self.max})"


class OneOf:
    """Validator: one of these strings (case-sensitive)."""

    def __init__(self, *values: str) -> None:
        if len(values) == 1 and not isinstance(values[0], str):
            values = tuple(values[0])  # OneOf(["a", "b"])
        self.values = [str(v) for v in values]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OneOf) and self.values == other.values

    def __repr__(self) -> str:
        return f"OneOf({', '.join(map(repr, self.values))})"


class ValidRegex:
    """Validator: a valid regular expression."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValidRegex)

    def __repr__(self) -> str:
        return "ValidRegex()"


Validator = Union[NonEmptyString, Range, OneOf, ValidRegex]


def format_default(value: Any) -> Optional[str]:
    """A default as Kafka prints it (``True`` → ``"true"``, lists comma-separated)."""
    if value is REQUIRED:
        return None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


class ConfigKey:
    """One configuration key (Kafka's ``ConfigDef.ConfigKey``)."""

    def __init__(
        self,
        name: str,
        type: ConfigType = ConfigType.STRING,
        default: Any = REQUIRED,
        importance: Importance = Importance.MEDIUM,
        doc: str = "",
        group: Optional[str] = None,
        order_in_group: Optional[int] = None,
        display_name: Optional[str] = None,
        validators: Sequence[Validator] = (),
        path_access: PathAccess = PathAccess.NONE,
    ) -> None:
        self.name = name
        self.type = ConfigType(type)
        #: The default as Kafka would print it; ``None`` means the key is required.
        self.default_value: Optional[str] = format_default(default)
        self.importance = Importance(importance)
        self.documentation = doc
        self.group = group
        self.order_in_group = order_in_group
        self.display_name = display_name
        self.validators: List[Validator] = list(validators)
        self.path_access = PathAccess(path_access)

    @property
    def required(self) -> bool:
        """True when the key has no default."""
        return self.default_value is None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ConfigKey) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return f"ConfigKey({self.name!r}, {self.type}, default={self.default_value!r})"


class ConfigDef:
    """A plugin's configuration keys, built by chaining (Kafka's ``ConfigDef``)::

        config_def = (ConfigDef()
            .string("file", importance=Importance.HIGH, doc="Output file.",
                    validators=[NonEmptyString()], path_access=PathAccess.WRITE_FILE)
            .int("batch.size", default=100, validators=[Range(min=1)])
            .boolean("verbose", default=False))

    A key without ``default`` is required; ``default=None`` makes it optional with an empty
    default (read it with :meth:`Config.get_optional`).
    """

    def __init__(self, keys: Iterable[ConfigKey] = ()) -> None:
        self.keys: List[ConfigKey] = []
        for key in keys:
            self.add(key)

    def add(self, key: ConfigKey) -> "ConfigDef":
        if any(k.name == key.name for k in self.keys):
            raise PluginError(f"Configuration {key.name} is defined twice.")
        self.keys.append(key)
        return self

    def define(self, name: str, type: ConfigType, **options: Any) -> "ConfigDef":
        """Add a key; ``options`` are :class:`ConfigKey`'s keyword arguments."""
        return self.add(ConfigKey(name, type, **options))

    def string(self, name: str, **options: Any) -> "ConfigDef":
        return self.define(name, ConfigType.STRING, **options)

    def int(self, name: str, **options: Any) -> "ConfigDef":
        return self.define(name, ConfigType.INT, **options)

    def short(self, name: str, **options: Any) -> "ConfigDef":
        return self.define(name, ConfigType.SHORT, **options)

    def long(self, name: str, **options: Any) -> "ConfigDef":
        return self.define(name, ConfigType.LONG, **options)

    def double(self, name: str, **options: Any) -> "ConfigDef":
        return self.define(name, ConfigType.DOUBLE, **options)

    def boolean(self, name: str, **options: Any) -> "ConfigDef":
        return self.define(name, ConfigType.BOOLEAN, **options)

    def list(self, name: str, **options: Any) -> "ConfigDef":
        return self.define(name, ConfigType.LIST, **options)

    def password(self, name: str, **options: Any) -> "ConfigDef":
        return self.define(name, ConfigType.PASSWORD, **options)

    def defaults(self) -> Dict[str, str]:
        """The default of every optional key, as strings."""
        return {k.name: k.default_value for k in self.keys if k.default_value is not None}

    def __iter__(self) -> Iterator[ConfigKey]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)


class ConfigError:
    """A problem with one config value, returned from a connector's ``validate``."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = message

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ConfigError) and (self.name, self.message) == (
            other.name,
            other.message,
        )

    def __repr__(self) -> str:
        return f"ConfigError({self.name!r}, {self.message!r})"


def _missing(key: str) -> PluginError:
    return PluginError(f'Missing required configuration "{key}" which has no default value.')


def _invalid(key: str, value: str, why: str) -> PluginError:
    return PluginError(f"Invalid value {value} for configuration {key}: {why}")


class Config(Mapping):
    """A configuration: Kafka Connect's string map, read-only, with typed getters.

    Getters take a default; without one the key is required and its absence raises
    :class:`PluginError` with Kafka's message. The SDK fills in the defaults of the plugin's
    :class:`ConfigDef` before the plugin sees a ``Config``.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Union[Mapping[str, str], Iterable[Any], None] = None) -> None:
        self._values: Dict[str, str] = dict(values or {})

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Config({self._values!r})"

    def updated(self, values: Optional[Mapping[str, Any]] = None, **more: Any) -> "Config":
        """A copy with ``values`` set (values are converted with ``str``)."""
        copy = dict(self._values)
        for k, v in {**(values or {}), **more}.items():
            copy[k] = format_default(v) if not isinstance(v, str) else v
        return Config(copy)

    def with_defaults(self, keys: Iterable[ConfigKey]) -> "Config":
        """A copy with the defaults of ``keys`` filled in where unset."""
        copy = dict(self._values)
        for key in keys:
            if key.default_value is not None:
                copy.setdefault(key.name, key.default_value)
        return Config(copy)

    def _raw(self, key: str, default: Any) -> Optional[str]:
        """The trimmed value, or ``None`` when absent or empty and a default exists."""
        value = self._values.get(key)
        if value is None or value.strip() == "":
            if default is REQUIRED:
                raise _missing(key)
            return None
        return value.strip()

    def get_string(self, key: str, default: Any = REQUIRED) -> Any:
        """The value of ``key`` (as set: not trimmed), or ``default`` when absent."""
        value = self._values.get(key)
        if value is None:
            if default is REQUIRED:
                raise _missing(key)
            return default
        return value

    def get_non_empty_string(self, key: str) -> str:
        """A required value that must not be blank."""
        value = self.get_string(key)
        if value.strip() == "":
            raise _invalid(key, value, "String must be non-empty")
        return value

    def get_optional(self, key: str) -> Optional[str]:
        """The value, or ``None`` when absent or empty."""
        value = self._values.get(key)
        return value if value else None

    def get_int(self, key: str, default: Any = REQUIRED) -> Any:
        """An integer (``int``, ``short`` and ``long`` keys), or ``default`` when absent or empty."""
        raw = self._raw(key, default)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise _invalid(key, raw, "Not a number of type INT") from None

    def get_float(self, key: str, default: Any = REQUIRED) -> Any:
        """A floating-point number, or ``default`` when absent or empty."""
        raw = self._raw(key, default)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError:
            raise _invalid(key, raw, "Not a number of type DOUBLE") from None

    def get_bool(self, key: str, default: Any = REQUIRED) -> Any:
        """``true``/``false`` (any case, as Kafka parses it), or ``default`` when absent or empty."""
        raw = self._raw(key, default)
        if raw is None:
            return default
        if raw.lower() == "true":
            return True
        if raw.lower() == "false":
            return False
        raise _invalid(key, raw, "Expected value to be either true or false")

    def get_list(self, key: str, default: Any = REQUIRED) -> Any:
        """A comma-separated list, items trimmed and empty items dropped."""
        value = self._values.get(key)
        if value is None:
            if default is REQUIRED:
                raise _missing(key)
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def get_non_empty_list(self, key: str) -> List[str]:
        """A required list with at least one item."""
        items = self.get_list(key)
        if not items:
            raise PluginError(f"Invalid value [] for configuration {key}: Empty list")
        return items
