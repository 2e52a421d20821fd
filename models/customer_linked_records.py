"""What follows a customer: one entry per kind of linked record.

Every engine reads this declaration: the transfer (move and copy), the
transfer and import wizards (their per-kind flags and previews), the
ownership history (its counters and summary), the trash (what it hides and
restores), the customer's count fields and the merge's history counts.
Adding a kind is one entry here (and its test).

Each kind's ``following_sql`` returns, for the customers ``ids`` whose
previous owners are ``owners`` (same order), the rows ``(customer id, record
id)`` of the records that follow the customer in a move. It is driven from
``unnest(ids)`` through indexed lookups so that its plan stays proportional
to the customers given, whatever PostgreSQL's statistics say (a join on
``id = ANY(...)`` over tables never analysed reads them whole).
"""

from dataclasses import dataclass

from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from ..compat import ACTIVITY_HAS_REQUEST_PARTNER

_lt = LazyTranslate(__name__)


def customers_sql(ids, owners=None):
    """The customers ``ids`` as the FROM item ``p(id)``, or ``p(id, owner)``
    with their previous ``owners`` (same order)."""
    if owners is None:
        return SQL("unnest(%s::int[]) AS p(id)", list(ids))
    return SQL("unnest(%s::int[], %s::int[]) AS p(id, owner)", list(ids), list(owners))


# Each joined table is a LATERAL subquery fenced by OFFSET 0, so that every
# step is one index lookup per customer: with plain joins PostgreSQL, even
# with sequential scans off, reads a whole index in order or merge-joins it.


def linked_rows_sql(table, link, customers, condition=None):
    """Rows (customer id, record id) of the records of ``table`` whose
    ``link`` is one of ``customers`` (see customers_sql) and that meet
    ``condition``."""
    return SQL(
        """SELECT p.id, r.id FROM %s
            CROSS JOIN LATERAL (
                  SELECT id FROM %s WHERE %s = p.id AND %s OFFSET 0) r""",
        customers,
        SQL.identifier(table),
        SQL.identifier(link),
        condition or SQL("TRUE"),
    )


def tasks_sql(customers, condition):
    """Rows (customer id, task id) of the tasks of ``customers`` that meet
    ``condition`` (on ``a``, the activity)."""
    return SQL(
        # Only res_id inside the fence: without statistics PostgreSQL would
        # AND in the res_model index, which holds every task of every
        # customer.
        """SELECT p.id, a.id FROM %s
            CROSS JOIN LATERAL (
                  SELECT id, res_model, active, hidden_by_trash, user_id
                    FROM mail_activity
                   WHERE res_id = p.id OFFSET 0) a
            WHERE a.res_model = 'res.partner' AND %s""",
        customers,
        condition,
    )


def future_appointments_sql(customers, now, condition):
    """Rows (customer id, event id) of the appointments after ``now`` that
    ``customers`` attend and that meet ``condition``: through the attendee
    table's (partner, event) index, then each event by its key."""
    return SQL(
        """SELECT p.id, e.id FROM %s
            CROSS JOIN LATERAL (
                  SELECT calendar_event_id FROM calendar_event_res_partner_rel
                   WHERE res_partner_id = p.id OFFSET 0) rel
            CROSS JOIN LATERAL (
                  SELECT id FROM calendar_event
                   WHERE id = rel.calendar_event_id AND start >= %s AND %s
                  OFFSET 0) e""",
        customers,
        now,
        condition,
    )


def _tasks(ids, owners, now):
    # Open tasks the previous owner holds (hidden ones of a trashed customer
    # too); a colleague's task stays theirs.
    return tasks_sql(
        customers_sql(ids, owners),
        SQL(
            "(a.active OR a.hidden_by_trash) AND a.user_id IS NOT DISTINCT FROM p.owner"
        ),
    )


def _appointments(ids, owners, now):
    # Future appointments the previous owner organises (hidden ones of a
    # trashed customer too).
    return future_appointments_sql(
        customers_sql(ids, owners),
        now,
        SQL("(active OR trash_partner_id = p.id) AND user_id = p.owner"),
    )


def _opportunities(ids, owners, now):
    # Open (neither won nor lost, i.e. archived) ones the previous owner has.
    return SQL(
        # Only the link inside the fence, for the same reason as tasks: the
        # owner's index would be ANDed in, and it holds all their leads.
        """SELECT p.id, l.id FROM %s
            CROSS JOIN LATERAL (
                  SELECT id, stage_id, active, user_id FROM crm_lead
                   WHERE partner_id = p.id OFFSET 0) l
             LEFT JOIN crm_stage s ON s.id = l.stage_id
            WHERE l.active AND l.user_id = p.owner AND s.is_won IS NOT TRUE""",
        customers_sql(ids, owners),
    )


def _contacts(ids, owners, now):
    # Contact persons and addresses the previous owner looks after.
    return linked_rows_sql(
        "res_partner",
        "parent_id",
        customers_sql(ids, owners),
        SQL("user_id IS NOT DISTINCT FROM p.owner"),
    )


@dataclass(frozen=True, kw_only=True)
class CustomerRecords:
    """Records of ``model`` that belong to a customer through ``link``.

    - ``history``: the customer's history: a delete by hand is refused
      while any exist (the trash and the merge keep them);
    - ``marks_customer``: one of them makes its partner a customer of this
      module (see ``res.partner._ownership_customers``);
    - ``own_data``: "model" when no reference of the model keeps a customer
      alive (its own data, or Odoo's bookkeeping around it: the purge
      deletes them with the customer), "link" when only ``link`` does not;
      empty for a business document, which keeps its customer from ever
      being destroyed.
    """

    model: str
    link: str
    history: bool = False
    marks_customer: bool = False
    own_data: str = ""


@dataclass(frozen=True, kw_only=True)
class LinkedKind(CustomerRecords):
    """One kind of record linked to a customer, which a transfer moves or
    copies.

    - ``key``: the kind's name; its wizard and company flag is ``flag``;
    - ``string``: label of the flag and of the history counter (a field
      label, translated with the fields);
    - ``counted``: the kind with a count, "visit reports (%(count)s)": a
      label and its count read right for any count in every language, which
      a sentence ("1 visit report", "2 visit reports") cannot, since Odoo's
      server-side translations have no plural forms (Polish has three);
    - ``query``: the records that follow in a move (see module docstring);
      none: every record linked to the customer follows it;
    - ``bound``: the records belong to the customer record itself (they
      follow it unless left behind on an archived copy for the previous
      owner); otherwise they have their own holder, who changes on a move;
    - ``move`` / ``copy``: res.partner methods applying a move (records that
      follow) and a copy (records to duplicate for the copy); a kind without
      ``copy`` never follows a copy;
    - ``choosable``: whether users pick this kind (a consent is personal to
      the customer and always stays on it);
    - ``trash``: the res.partner method that hides (True) the customers'
      records of the kind when they go to the trash, or brings them back
      (False); none: the trash leaves them alone, or their ``active``
      follows the customer's trash state (customer.owned.mixin);
    - ``count_field``: the counter on the ownership history (None: uncounted);
    - ``partner_count``: the customer has a stored-less count field of the
      same name (smart buttons), whose button opens ``action``;
    - ``merge_refs``: the (model, field) references a merge counts.
    """

    key: str
    string: str
    counted: object
    query: object = None
    bound: bool = False
    move: str = ""
    copy: str = ""
    choosable: bool = True
    trash: str = ""
    count_field: str = ""
    partner_count: bool = False
    merge_refs: tuple = ()
    action: str = ""

    @property
    def flag(self):
        return f"transfer_{self.key}"

    def following_sql(self, ids, owners, now):
        """The kind's ``query``, else every record linked to the customers."""
        if self.query:
            return self.query(ids, owners, now)
        table = self.model.replace(".", "_")
        return linked_rows_sql(table, self.link, customers_sql(ids, owners))

    def summary(self, env, count):
        """'tasks (3)' in the language of ``env``."""
        return env._(self.counted) % {"count": count}


LINKED_KINDS = (
    LinkedKind(
        key="visit_reports",
        model="customer.visit.report",
        link="partner_id",
        string="Visit Reports",
        counted=_lt("visit reports (%(count)s)"),
        bound=True,
        copy="_copy_bound_records",
        count_field="visit_report_count",
        partner_count=True,
        merge_refs=(("customer.visit.report", "partner_id"),),
        action="crm_customer_ownership.customer_visit_report_action",
        history=True,
        marks_customer=True,
        own_data="model",
    ),
    LinkedKind(
        key="tasks",
        model="mail.activity",
        link="res_id",
        string="Tasks",
        counted=_lt("tasks (%(count)s)"),
        query=_tasks,
        move="_move_tasks",
        trash="_trash_set_tasks_hidden",
        count_field="activity_count",
        merge_refs=(("mail.activity", "res_id"),),
        history=True,
        own_data="model",
    ),
    LinkedKind(
        key="appointments",
        model="calendar.event",
        link="partner_ids",
        string="Appointments",
        counted=_lt("appointments (%(count)s)"),
        query=_appointments,
        move="_reassign_events",
        copy="_copy_appointments",
        trash="_trash_set_appointments_hidden",
        count_field="event_count",
        merge_refs=(("calendar.event", "partner_ids"), ("calendar.event", "res_id")),
        history=True,
    ),
    LinkedKind(
        key="visit_blocks",
        model="customer.visit.block",
        link="partner_id",
        string="Visit Blocks",
        counted=_lt("visit blocks (%(count)s)"),
        bound=True,
        copy="_copy_bound_records",
        count_field="visit_block_count",
        partner_count=True,
        merge_refs=(("customer.visit.block", "partner_id"),),
        action="crm_customer_ownership.customer_visit_block_action",
        history=True,
        marks_customer=True,
        own_data="model",
    ),
    LinkedKind(
        key="opportunities",
        model="crm.lead",
        link="partner_id",
        string="Opportunities",
        counted=_lt("opportunities (%(count)s)"),
        query=_opportunities,
        move="_move_opportunities",
        count_field="lead_count",
        merge_refs=(("crm.lead", "partner_id"),),
    ),
    LinkedKind(
        key="contacts",
        model="res.partner",
        link="parent_id",
        string="Contacts",
        counted=_lt("contacts (%(count)s)"),
        query=_contacts,
        move="_move_contacts",
        copy="_copy_contacts",
        count_field="contact_count",
        merge_refs=(("res.partner", "parent_id"),),
        own_data="model",
    ),
    LinkedKind(
        key="consents",
        model="customer.consent",
        link="partner_id",
        string="GDPR Consents",
        counted=_lt("consents (%(count)s)"),
        bound=True,
        choosable=False,
        history=True,
        marks_customer=True,
        own_data="model",
    ),
)
# The other records that point at a customer: its ownership history and
# merge log, the trash's mark on hidden appointments, Odoo's chatter around it.
OTHER_CUSTOMER_RECORDS = (
    CustomerRecords(
        model="customer.ownership.history",
        link="partner_id",
        history=True,
        marks_customer=True,
        own_data="model",
    ),
    CustomerRecords(
        model="customer.ownership.history", link="source_partner_id", own_data="model"
    ),
    CustomerRecords(
        model="customer.merge.log", link="source_partner_id", own_data="model"
    ),
    CustomerRecords(
        model="customer.merge.log", link="target_partner_id", own_data="model"
    ),
    CustomerRecords(model="calendar.event", link="trash_partner_id", own_data="link"),
    CustomerRecords(model="mail.message", link="author_id", own_data="model"),
    CustomerRecords(model="mail.followers", link="partner_id", own_data="model"),
    CustomerRecords(model="mail.notification", link="res_partner_id", own_data="model"),
    CustomerRecords(model="calendar.attendee", link="partner_id", own_data="model"),
)
CUSTOMER_RECORDS = LINKED_KINDS + OTHER_CUSTOMER_RECORDS
# Stored many2one fields to res.partner, on the models above or the module's,
# that are no customer's records, and why (tests/test_data_model.py holds
# every such field to one of the two declarations).
NOT_CUSTOMER_RECORDS = {
    ("res.partner", "commercial_partner_id"): "computed from the parent: "
    "the company a contact belongs to, which the contacts kind follows",
    ("res.partner", "merged_into_id"): "a merge mark, which the merge engine "
    "sets and clears",
    ("res.company", "partner_id"): "the company's own partner",
    ("res.users", "partner_id"): "the user's own partner",
    ("mail.notification", "author_id"): "the message's author, stored again",
    ("customer.import.log.line", "partner_id"): "an import's audit of a row: "
    "it stays with its import and, like a business document, keeps the "
    "customer it names from being destroyed",
}
if ACTIVITY_HAS_REQUEST_PARTNER:
    NOT_CUSTOMER_RECORDS[("mail.activity", "request_partner_id")] = (
        "who asked for a task; tasks follow their customer through res_id"
    )
LINKED_KINDS_BY_KEY = {kind.key: kind for kind in LINKED_KINDS}
# The kinds users choose per transfer; the others always stay on the customer.
CHOOSABLE_KINDS = tuple(kind for kind in LINKED_KINDS if kind.choosable)
# The history's counters, in the order the history and previews show them.
COUNTED_KINDS = tuple(kind for kind in LINKED_KINDS if kind.count_field)
LINKED_COUNT_FIELDS = tuple(kind.count_field for kind in COUNTED_KINDS)
# The customer's history: what a delete by hand must not destroy.
HISTORY_RECORDS = tuple(records for records in CUSTOMER_RECORDS if records.history)
# A customer of this module has one of these (or one of its own fields set).
MARKING_RECORDS = tuple(r for r in CUSTOMER_RECORDS if r.marks_customer)
# Models and single links whose references never keep a customer alive.
OWN_DATA_MODELS = frozenset(r.model for r in CUSTOMER_RECORDS if r.own_data == "model")
OWN_DATA_FIELDS = frozenset(
    (r.model, r.link) for r in CUSTOMER_RECORDS if r.own_data == "link"
)
