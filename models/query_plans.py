from contextlib import contextmanager

from odoo.tools import SQL

# Planner settings while the engines' statements over sets of ids run: no
# sequential scan, so PostgreSQL goes from the ids through indexes whatever
# its statistics say (none after a migration or inside an import's own
# transaction, or stale ones claiming a table empty or a column holding a
# handful of distinct values when it holds millions); it was seen scanning a
# whole table for every id of a list, even through a LATERAL subquery. A
# column without any index is still read, once. The penalty that disables a
# plan node, and estimates made without statistics, inflate the estimated
# cost past the JIT threshold: PostgreSQL then spent longer compiling each
# such statement than its index lookups take. No JIT for these small
# statements.
INDEX_DRIVEN_PLANS = {
    "enable_seqscan": "off",
    "jit": "off",
}


@contextmanager
def index_driven_plans(env):
    """Run the block's statements with INDEX_DRIVEN_PLANS, then put the
    transaction's settings back. If the block fails, the caller's savepoint
    rollback puts them back (they are transactional), and the failed
    transaction could not run a statement anyway."""
    cr = env.cr
    names = list(INDEX_DRIVEN_PLANS)
    cr.execute(
        SQL(
            "SELECT %s",
            SQL(", ").join(SQL("current_setting(%s)", name) for name in names),
        )
    )
    previous = cr.fetchone()
    _set_plan_settings(cr, INDEX_DRIVEN_PLANS)
    yield
    _set_plan_settings(cr, dict(zip(names, previous, strict=True)))


def _set_plan_settings(cr, settings):
    cr.execute(
        SQL(
            "SELECT %s",
            SQL(", ").join(
                SQL("set_config(%s, %s, true)", name, value)
                for name, value in settings.items()
            ),
        )
    )


def execute_through_indexes(env, query):
    """Rows of ``query``, a lookup or change driven from a list of ids or
    keys, planned with INDEX_DRIVEN_PLANS."""
    with index_driven_plans(env):
        return env.execute_query(query)
