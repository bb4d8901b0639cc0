"""`flask copy-to-postgres URL`: copy a SQLite deployment into a new PostgreSQL database, once, when moving.

The target is migrated to the same schema first and must be empty. Every table is copied in the order
its migrations made it (so a row's references exist before it), in one transaction: a failure leaves
the target as empty as it was. Identity counters then continue after the highest copied id, and the
row counts of both sides are compared before the command says it is done.
"""

import click
from flask import current_app
from flask.cli import with_appcontext

from db import connect, is_postgres, migrate, shown, write_transaction

# sqlite-utils' record of applied migrations: the target keeps its own, made by migrate().
SKIPPED = {"_sqlite_migrations"}
BATCH = 2000
SELF_REFERENCES = """
SELECT c.conrelid::regclass::text AS table_name, a.attname AS column_name
FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
WHERE c.contype = 'f' AND c.conrelid = c.confrelid
"""
IDENTITY_COLUMNS = """
SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND is_identity = 'YES'
"""


class CopyError(Exception):
    """The copy cannot start or did not match; the message says why."""


def copy_database(source, target):
    """Copy every table of the SQLite Database `source` into the empty, migrated PostgreSQL `target`.

    Returns {table: rows copied}."""
    tables = [name for name in target.table_names() if name not in SKIPPED]
    missing = sorted(set(source.table_names()) - set(tables) - SKIPPED)
    if missing:
        raise CopyError(f"The SQLite database has tables the schema does not: {', '.join(missing)}.")
    full = [name for name in tables if target.execute(f"SELECT 1 FROM {name} LIMIT 1").fetchone()]  # noqa: S608
    if full:
        raise CopyError(f"The PostgreSQL database is not empty ({', '.join(full)}): copy into a new database.")
    self_refs = {}
    for row in target.query(SELF_REFERENCES):
        self_refs.setdefault(row["table_name"], []).append(row["column_name"])
    copied = {}
    with write_transaction(target):
        for table in tables:
            copied[table] = _copy_table(source, target, table, self_refs.get(table, []))
        for row in list(target.query(IDENTITY_COLUMNS)):
            # Without this, the next new row would be given id 1 again.
            target.execute(
                f"SELECT setval(pg_get_serial_sequence('{row['table_name']}', '{row['column_name']}'), "
                f"COALESCE((SELECT MAX({row['column_name']}) FROM {row['table_name']}), 0) + 1, false)"
            )
    for table, count in copied.items():
        if target[table].count != count:
            raise CopyError(f"{table}: copied {count} rows but PostgreSQL holds {target[table].count}.")
    return copied


def _copy_table(source, target, table, self_columns):
    """Copy one table in batches; columns that point into the same table are filled in afterwards."""
    columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})").fetchall()]
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    later = [columns.index(c) for c in self_columns]
    cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
    raw = target.conn.raw.cursor()
    count, deferred = 0, []
    while batch := cursor.fetchmany(BATCH):
        rows = [list(row) for row in batch]
        for row in rows:
            if later and any(row[i] is not None for i in later):
                deferred.append(row)
            for i in later:
                row[i] = None
        raw.executemany(insert, rows)
        count += len(rows)
    keys = target.primary_key(table)
    for row in deferred:
        sets = ", ".join(f"{columns[i]} = %s" for i in later)
        where = " AND ".join(f"{key} = %s" for key in keys)
        raw.execute(
            f"UPDATE {table} SET {sets} WHERE {where}",
            [row[i] for i in later] + [row[columns.index(k)] for k in keys],
        )
    return count


@click.command("copy-to-postgres")
@click.argument("url")
@with_appcontext
def copy_to_postgres_command(url):
    """Copy this deployment's SQLite database into the new PostgreSQL database at URL (then set DATABASE to URL)."""
    source_path = current_app.config["DATABASE"]
    if is_postgres(source_path):
        raise click.ClickException("DATABASE is already PostgreSQL; this copies a SQLite deployment into one.")
    if not is_postgres(url):
        raise click.ClickException("URL must be a PostgreSQL URL, like postgresql://user:password@host/database.")
    source, target = connect(source_path), connect(url)
    try:
        migrate(source)
        migrate(target)
        copied = copy_database(source, target)
    except CopyError as error:
        raise click.ClickException(str(error)) from error
    finally:
        source.close()
        target.close()
    click.echo(f"Copied {sum(copied.values())} rows in {len(copied)} tables into {shown(url)}; the counts match.")
    click.echo("Stop the app, set DATABASE to that URL, and start it again.")
