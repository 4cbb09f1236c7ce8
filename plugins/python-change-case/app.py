"""`ChangeCase`: a Wasm Connect transform written in Python (componentize-py, world `transform-plugin`).

Upper- or lower-cases every string in the record value (`case` = `upper`, the default, or `lower`);
strings nested in structs, arrays and maps are changed too. Keys, headers and the topic are kept.

Built by host/build.rs with:
    componentize-py -d <repo>/wit -w transform-plugin componentize app -p plugins/python-change-case -o change_case.wasm
"""

from typing import List, Optional, Tuple

from componentize_py_types import Err, Ok, Result
from wit_world import exports
from wit_world.imports import host, types

_CASES = ("upper", "lower")
_case = "upper"


class Plugin(exports.Plugin):
    def info(self) -> types.PluginInfo:
        return types.PluginInfo(
            name="ChangeCase",
            version="0.1.0",
            aliases=["com.example.ChangeCase"],
            description="Upper- or lower-cases the string values of records (a Python plugin).",
        )

    def config_definition(self) -> List[types.ConfigKey]:
        return [
            types.ConfigKey(
                name="case",
                type=types.ConfigType.STRING,
                default_value="upper",
                importance=types.Importance.MEDIUM,
                documentation="Either `upper` or `lower`.",
                group=None,
                order_in_group=None,
                display_name=None,
                validators=[types.Validator_OneOf(list(_CASES))],
                path_access=types.PathAccess.NONE,
            )
        ]


class Transform(exports.Transform):
    def configure(self, config: List[Tuple[str, str]]) -> None:
        global _case
        case = dict(config).get("case", "upper") or "upper"
        if case not in _CASES:
            raise Err(types.PluginError(
                message=f"Invalid value {case} for configuration case: must be one of {', '.join(_CASES)}",
                retriable=False,
            ))
        _case = case
        host.log(host.LogLevel.DEBUG, f"ChangeCase configured with case={case}")

    def apply(
        self, records: List[types.ConnectRecord]
    ) -> List[Result[Optional[types.ConnectRecord], types.PluginError]]:
        change = str.upper if _case == "upper" else str.lower
        out: List[Result[Optional[types.ConnectRecord], types.PluginError]] = []
        for record in records:
            nodes = record.value.value.nodes
            for i, node in enumerate(nodes):
                if isinstance(node, types.ValueNode_String):
                    nodes[i] = types.ValueNode_String(change(node.value))
            out.append(Ok(record))
        return out
