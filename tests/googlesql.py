"""Google's own SQL analyzer, offline: ZetaSQL (the GoogleSQL front end BigQuery uses) compiled to WebAssembly.

`zetasql` on PyPI runs Google's ZetaSQL under wasmtime. It resolves names and types, so it rejects what
BigQuery rejects and a parser alone accepts: `x::INT64`, COUNTIF on an INT64, an unknown column, an
ungrouped column, a DATE parameter given an ARRAY<STRING>. opscheck's queries are analyzed against the
platform's tables, with their parameters typed as the gateway binds them (opscheck/sql/queries.py PARAMS).

The language options are BigQuery's: product mode EXTERNAL, default name resolution, and the language
features the ZetaSQL Toolkit enables for BigQuery (GoogleCloudPlatform/zetasql-toolkit,
zetasql-toolkit-bigquery/.../options/BigQueryLanguageOptions.java), restricted to the statement kinds
opscheck runs.

Compiling the module takes about 50 s on this machine: the compiled module is cached, keyed by the
zetasql and wasmtime versions and the machine, so a later run loads it in a second or two.
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Any

# GoogleSQL features BigQuery has (zetasql-toolkit's BigQueryLanguageOptions, its DDL-only ones left out).
BIGQUERY_FEATURES = (
    "ANALYTIC_FUNCTIONS", "BIGNUMERIC_TYPE", "CBRT_FUNCTIONS", "DML_UPDATE_WITH_JOIN", "GEOGRAPHY",
    "GROUP_BY_ROLLUP", "INTERVAL_TYPE", "INVERSE_TRIG_FUNCTIONS", "JSON_ARRAY_FUNCTIONS", "JSON_TYPE",
    "JSON_VALUE_EXTRACTION_FUNCTIONS", "NAMED_ARGUMENTS", "NUMERIC_TYPE", "PARAMETERIZED_TYPES",
    "ROUND_WITH_ROUNDING_MODE", "TABLESAMPLE", "TABLE_VALUED_FUNCTIONS", "TEMPLATE_FUNCTIONS", "TIMESTAMP_NANOS",
    "TIME_BUCKET_FUNCTIONS", "V_1_1_HAVING_IN_AGGREGATE", "V_1_1_LIMIT_IN_AGGREGATE",
    "V_1_1_NULL_HANDLING_MODIFIER_IN_AGGREGATE", "V_1_1_NULL_HANDLING_MODIFIER_IN_ANALYTIC",
    "V_1_1_ORDER_BY_IN_AGGREGATE", "V_1_1_SELECT_STAR_EXCEPT_REPLACE", "V_1_1_WITH_ON_SUBQUERY", "V_1_2_CIVIL_TIME",
    "V_1_2_SAFE_FUNCTION_CALL", "V_1_2_WEEK_WITH_WEEKDAY", "V_1_3_ADDITIONAL_STRING_FUNCTIONS",
    "V_1_3_ALLOW_DASHES_IN_TABLE_NAME", "V_1_3_ALLOW_REGEXP_EXTRACT_OPTIONALS", "V_1_3_ANNOTATION_FRAMEWORK",
    "V_1_3_CASE_STMT", "V_1_3_COLLATION_SUPPORT", "V_1_3_CONCAT_MIXED_TYPES", "V_1_3_DATE_ARITHMETICS",
    "V_1_3_DATE_TIME_CONSTRUCTORS", "V_1_3_DECIMAL_ALIAS", "V_1_3_EXTENDED_DATE_TIME_SIGNATURES",
    "V_1_3_FORMAT_IN_CAST", "V_1_3_IS_DISTINCT", "V_1_3_LIKE_ANY_SOME_ALL", "V_1_3_NULLS_FIRST_LAST_IN_ORDER_BY",
    "V_1_3_OMIT_INSERT_COLUMN_LIST", "V_1_3_PIVOT", "V_1_3_QUALIFY", "V_1_3_REPEAT", "V_1_3_UNNEST_AND_FLATTEN_ARRAYS",
    "V_1_3_UNPIVOT", "V_1_3_WITH_GROUP_ROWS", "V_1_3_WITH_RECURSIVE", "V_1_4_ARRAY_AGGREGATION_FUNCTIONS",
    "V_1_4_GROUPING_BUILTIN", "V_1_4_GROUPING_SETS", "V_1_4_GROUP_BY_ALL",
)
STATEMENTS = ("RESOLVED_QUERY_STMT", "RESOLVED_MERGE_STMT", "RESOLVED_DELETE_STMT", "RESOLVED_INSERT_STMT",
              "RESOLVED_UPDATE_STMT")
SIMPLE = {"STRING": "TYPE_STRING", "INT64": "TYPE_INT64", "FLOAT64": "TYPE_DOUBLE", "BOOL": "TYPE_BOOL",
          "DATE": "TYPE_DATE", "TIMESTAMP": "TYPE_TIMESTAMP", "NUMERIC": "TYPE_NUMERIC"}
NAMES = {kind: name for name, kind in SIMPLE.items()}


class Rejected(Exception):
    """ZetaSQL refused the statement (its message says why)."""


def cache_file() -> Path:
    """Where the compiled module is kept: per zetasql and wasmtime version and machine."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "opscheck"
    versions = f"zetasql-{metadata.version('zetasql')}-wasmtime-{metadata.version('wasmtime')}"
    return base / f"{versions}-{platform.machine()}.cwasm"


class _CachedModule:
    """wasmtime.Module's `from_file`, through the cache (what zetasql's WasmClient calls)."""

    @staticmethod
    def from_file(engine: Any, path: str) -> Any:
        import wasmtime

        cached = cache_file()
        if cached.is_file():
            with contextlib.suppress(Exception):  # another wasmtime or CPU: compile it again
                return wasmtime.Module.deserialize_file(engine, str(cached))
        module = wasmtime.Module.from_file(engine, path)
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(module.serialize())
        partial.replace(cached)
        return module


@functools.cache
def _zetasql() -> Any:
    """zetasql's modules, its WebAssembly loaded through the cache."""
    import zetasql.core.wasm_client as wasm_client

    wasm_client.Module = _CachedModule
    from zetasql import types
    from zetasql.api import Analyzer, CatalogBuilder, TableBuilder, TypeFactory

    return types, Analyzer, CatalogBuilder, TableBuilder, TypeFactory


def language() -> Any:
    """BigQuery's language options (see the module's docstring for where they come from)."""
    types = _zetasql()[0]
    options = types.LanguageOptions()
    options.name_resolution_mode = types.NameResolutionMode.NAME_RESOLUTION_DEFAULT
    options.product_mode = types.ProductMode.PRODUCT_EXTERNAL
    features = types.LanguageFeature.__members__
    options.enabled_language_features = [features[f"FEATURE_{name}"] for name in BIGQUERY_FEATURES]
    options.supported_statement_kinds = [types.ResolvedNodeKind.__members__[k] for k in STATEMENTS]
    options.reserved_keywords = ["QUALIFY"]
    return options


def type_of(spelled: str) -> Any:
    """A ZetaSQL type from its GoogleSQL spelling: INT64, ARRAY<DATE>, ARRAY<STRUCT<a STRING, b DATE>>."""
    types, _, _, _, factory = _zetasql()
    spelled = spelled.strip()
    if spelled.startswith("ARRAY<") and spelled.endswith(">"):
        return factory.create_array_type(type_of(spelled[6:-1]))
    if spelled.startswith("STRUCT<") and spelled.endswith(">"):
        return factory.create_struct_type([(name, type_of(kind)) for name, kind in
                                           (part.strip().split(" ", 1) for part in _fields(spelled[7:-1]))])
    return factory.create_simple_type(types.TypeKind.__members__[SIMPLE[spelled]])


def _fields(inner: str) -> list[str]:
    """The comma-separated fields of a STRUCT<...>, commas inside nested <> left alone."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(inner):
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    return [*parts, inner[start:]]


def spelled(kind: Any) -> str:
    """A ZetaSQL type's GoogleSQL spelling (the output columns of an analyzed query)."""
    name = str(kind.type_kind.name)
    if name == "TYPE_ARRAY":
        return f"ARRAY<{spelled(kind.array_type.element_type)}>"
    return NAMES.get(name, name)


def catalog(tables: dict[str, str]) -> Any:
    """A catalog of tables: full name (as queries spell it, backticks off) -> `col TYPE, ...` (their DDL)."""
    types, _, builder, table_builder, _ = _zetasql()
    made = builder("bigquery")
    for name, columns in tables.items():
        table = table_builder(name)
        for column in re.split(r",\s*", columns.strip()):
            column_name, kind = column.split()
            table.add_column(column_name, type_of(kind))
        made.add_table(table.build())
    return made.with_builtin_functions(types.ZetaSQLBuiltinFunctionOptions(language_options=language())).build()


def analyze(sql: str, tables: Any, params: dict[str, str]) -> list[tuple[str, str]]:
    """The output columns (name, type) of `sql` analyzed as BigQuery would; Rejected with ZetaSQL's reason."""
    types, analyzer, _, _, _ = _zetasql()
    options = types.AnalyzerOptions(language_options=language())
    options.query_parameters = [types.AnalyzerOptions.QueryParameter(name=name, type=type_of(kind))
                                for name, kind in params.items()]
    try:
        resolved = analyzer(options, tables).analyze_statement(sql)
    except Exception as exc:  # zetasql's ServerError: INVALID_ARGUMENT and why
        raise Rejected(str(exc).splitlines()[0]) from None
    return [(column.name, spelled(column.column.type)) for column in getattr(resolved, "output_column_list", [])]
