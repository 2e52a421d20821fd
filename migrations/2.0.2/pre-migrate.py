from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    """Before 2.0.2 an import log carried "With Linked Data" beside its kinds;
    the kinds are now the only input, none of them when that box was off.

    The unique index on the import plan's positions, created by hand before,
    is dropped: its name is the one of the UNIQUE constraint that now
    declares the rule, which PostgreSQL could not create beside it.
    """
    # A database of the first 18.0.1.0 versions has neither column.
    if column_exists(cr, "customer_import_log", "transfer_linked") and column_exists(
        cr, "customer_import_log", "transfer_kinds"
    ):
        cr.execute(
            """
            UPDATE customer_import_log
               SET transfer_kinds = '{"kinds": []}'::jsonb
             WHERE transfer_linked IS NOT TRUE
            """
        )
    name = "customer_import_log_line_log_sequence_uniq"
    cr.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [name])
    if not cr.fetchone():
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
