def migrate(cr, version):
    """Drop the unique index on the import plan's positions that 2.0.1 and
    before created by hand: its name is the one of the UNIQUE constraint
    that now declares the rule, which PostgreSQL could not create beside it.
    """
    cr.execute("DROP INDEX IF EXISTS customer_import_log_line_log_sequence_uniq")
