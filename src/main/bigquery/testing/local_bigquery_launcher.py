"""Test support: starts the local-bigquery 0.4.0 emulator with the fixes the emulator suite needs.

Run with the emulator venv's Python (.venv-bigquery-emulator, made by scripts/setup-python.mjs):
    python local_bigquery_launcher.py --host 127.0.0.1 --port N --grpc-port M --data-dir DIR
Every patch below names the emulator gap it works around; none of this is in the product.
"""

import sys
from pathlib import Path

import duckdb
from duckdb_extensions import import_extension

# The emulator's extensions come from the PyPI packages (duckdb-extension-*), installed into a folder
# of the venv: DuckDB would otherwise download them at start, and only PyPI and npm are reachable.
EXTENSION_DIR = Path(sys.prefix) / "duckdb-extensions"
EXTENSIONS = ("ducklake", "spatial")

_connect = duckdb.connect


def connect(database=":memory:", read_only=False, config=None, **kwargs):
    """duckdb.connect with the venv's extension folder, no downloads, and the time zone set after connecting.

    Gap: local-bigquery passes config={"TimeZone": "UTC"} to duckdb.connect; duckdb 1.5.5 (the newest
    release whose extensions are on PyPI) applies it before ICU is loaded and fails every request with
    'To set the "TimeZone" setting, the icu extension needs to be loaded'.
    """
    config = dict(config or {})
    time_zone = config.pop("TimeZone", None)
    config.setdefault("extension_directory", str(EXTENSION_DIR))
    config.setdefault("autoinstall_known_extensions", False)
    connection = _connect(database, read_only, config=config, **kwargs)
    if time_zone is not None:
        connection.execute(f"SET TimeZone = '{time_zone}'")
    return connection


def install_extensions():
    with connect() as connection:
        for name in EXTENSIONS:
            import_extension(name, con=connection)


def patch_ctas_destination():
    """Gap: a CREATE TABLE AS SELECT job comes back without configuration.query.destinationTable.

    BigQuery sets it to the created table, and dbt-bigquery reads it after every table model
    ('NoneType' object has no attribute 'path' without it). The job's ddlTargetTable names that table.
    """
    from local_bigquery.jobs import runner

    original = runner._query

    def query(job, session, running):
        statistics = original(job, session, running)
        config = job.configuration.query
        created = statistics.query
        if created is not None and created.statementType == "CREATE_TABLE_AS_SELECT" and config.destinationTable is None:
            config.destinationTable = created.ddlTargetTable
        return statistics

    runner._query = query


def patch_partitions_last_modified():
    """Gap: INFORMATION_SCHEMA.PARTITIONS has no last_modified_time (dbt_attribution's refresh bounds read it).

    The emulator keeps no time per partition, so each partition gets its table's last modification:
    a refresh then counts every partition of a changed table as new, a superset of what BigQuery
    would report (more rows recomputed, the same results).
    """
    from local_bigquery.sql.rules import information_schema as schema

    original = schema.partitions
    tables = schema._tables

    def partitions(project_id, dataset_id):
        columns, rows = original(project_id, dataset_id)
        modified = {tuple(schema._identity(table)): schema._timestamp(table.lastModifiedTime) for table in tables(project_id, dataset_id)}
        return [*columns, "last_modified_time TIMESTAMP"], [row + [modified[tuple(row[:3])]] for row in rows]

    schema.partitions = partitions
    schema.VIEWS["PARTITIONS"] = partitions


def main(argv):
    duckdb.connect = connect
    install_extensions()
    patch_ctas_destination()
    patch_partitions_last_modified()
    from local_bigquery.cli import main as serve

    serve(["serve", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
