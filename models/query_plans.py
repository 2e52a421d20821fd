from odoo.tools import SQL


def execute_through_indexes(env, query):
    """Rows of ``query``, a lookup driven from a list of ids or keys, planned
    with sequential scans disabled.

    Without statistics (right after a migration, inside an import's own
    transaction) PostgreSQL takes one value of a column for 0.5% of the table
    and may scan the whole table for every id of the list, even through a
    LATERAL subquery: it was seen doing so for the import's External IDs.
    Disabled for this statement only, a scan remains possible where no index
    serves, and every indexed step becomes an index lookup whatever the
    statistics say.

    JIT compilation is off for the statement too: without statistics the
    estimated cost of such a lookup runs into millions, far above
    ``jit_above_cost``, and PostgreSQL spent about half a second compiling
    each one, longer than the index lookups themselves take.
    """
    env.cr.execute(SQL("SET LOCAL enable_seqscan = off; SET LOCAL jit = off"))
    rows = env.execute_query(query)
    env.cr.execute(SQL("SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL jit TO DEFAULT"))
    return rows
