"""What follows a customer: one entry per kind of linked record.

Every engine reads this declaration: the transfer (move and copy), the
transfer and import wizards (their per-kind flags and previews), the
ownership history (its counters and summary), the trash (what it hides and
restores), the customer's count fields and the merge's history counts.
Adding a kind is one entry here (and its test).

Each kind's ``query`` returns, for the customers ``ids`` whose previous
owners are ``owners`` (same order), the rows ``(customer id, record id)`` of
the records that follow the customer in a move. It is driven from
``unnest(ids)`` through indexed lookups so that its plan stays proportional
to the customers given, whatever PostgreSQL's statistics say (a join on
``id = ANY(...)`` over tables never analysed took minutes).
"""

from dataclasses import dataclass

from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


def _customers(ids, owners):
    return SQL("unnest(%s::int[], %s::int[]) AS p(id, owner)", list(ids), list(owners))


# Each joined table is a LATERAL subquery fenced by OFFSET 0, so that every
# step is one index lookup per customer: with plain joins PostgreSQL, even
# with sequential scans off, reads a whole index in order or merge-joins it.


def _visit_reports(ids, owners, now):
    return SQL(
        """SELECT p.id, r.id FROM %s
            CROSS JOIN LATERAL (
                  SELECT id FROM customer_visit_report
                   WHERE partner_id = p.id OFFSET 0) r""",
        _customers(ids, owners),
    )


def _visit_blocks(ids, owners, now):
    return SQL(
        """SELECT p.id, b.id FROM %s
            CROSS JOIN LATERAL (
                  SELECT id FROM customer_visit_block
                   WHERE partner_id = p.id OFFSET 0) b""",
        _customers(ids, owners),
    )


def _consents(ids, owners, now):
    return SQL(
        """SELECT p.id, c.id FROM %s
            CROSS JOIN LATERAL (
                  SELECT id FROM customer_consent
                   WHERE partner_id = p.id OFFSET 0) c""",
        _customers(ids, owners),
    )


def _tasks(ids, owners, now):
    # Open tasks the previous owner holds (hidden ones of a trashed customer
    # too); a colleague's task stays theirs.
    return SQL(
        # Only res_id inside the fence: without statistics PostgreSQL would
        # AND in the res_model index, which holds every task of every
        # customer (3.4 s for 10,000 customers on never-analysed tables).
        """SELECT p.id, a.id FROM %s
            CROSS JOIN LATERAL (
                  SELECT id, res_model, active, hidden_by_trash, user_id
                    FROM mail_activity
                   WHERE res_id = p.id OFFSET 0) a
            WHERE a.res_model = 'res.partner'
              AND (a.active OR a.hidden_by_trash)
              AND a.user_id IS NOT DISTINCT FROM p.owner""",
        _customers(ids, owners),
    )


def _appointments(ids, owners, now):
    # Future appointments the previous owner organises (hidden ones of a
    # trashed customer too), found through the attendee table's (partner,
    # event) index, then the event by its key.
    return SQL(
        """SELECT p.id, e.id FROM %s
            CROSS JOIN LATERAL (
                  SELECT calendar_event_id FROM calendar_event_res_partner_rel
                   WHERE res_partner_id = p.id OFFSET 0) rel
            CROSS JOIN LATERAL (
                  SELECT id FROM calendar_event
                   WHERE id = rel.calendar_event_id
                     AND (active OR trash_partner_id = p.id) AND start >= %s
                     AND user_id = p.owner OFFSET 0) e""",
        _customers(ids, owners),
        now,
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
        _customers(ids, owners),
    )


def _contacts(ids, owners, now):
    # Contact persons and addresses the previous owner looks after.
    return SQL(
        """SELECT p.id, c.id FROM %s
            CROSS JOIN LATERAL (
                  SELECT id FROM res_partner
                   WHERE parent_id = p.id
                     AND user_id IS NOT DISTINCT FROM p.owner OFFSET 0) c""",
        _customers(ids, owners),
    )


@dataclass(frozen=True)
class LinkedKind:
    """One kind of record linked to a customer.

    - ``key``: the kind's name; its wizard and company flag is ``flag``;
    - ``model`` and ``link``: the records and the field pointing at the
      customer;
    - ``string``: label of the flag and of the history counter (a field
      label, translated with the fields);
    - ``counted``: the kind with a count, "visit reports (%(count)s)": a
      label and its count read right for any count in every language, which
      a sentence ("1 visit report", "2 visit reports") cannot, since Odoo's
      server-side translations have no plural forms (Polish has three);
    - ``query``: the records that follow in a move (see module docstring);
    - ``bound``: the records belong to the customer record itself (they
      follow it unless left behind on an archived copy for the previous
      owner); otherwise they have their own holder, who changes on a move;
    - ``move`` / ``copy``: res.partner methods applying a move (records that
      follow) and a copy (records to duplicate for the copy); a kind without
      ``copy`` never follows a copy;
    - ``choosable``: whether users pick this kind (a consent is personal to
      the customer and always stays on it);
    - ``trash``: "computed" when the records' ``active`` follows the
      customer's trash state, else (hide, unhide) res.partner methods, or
      None when the trash leaves them alone;
    - ``count_field``: the counter on the ownership history (None: uncounted);
    - ``partner_count``: the customer has a stored-less count field of the
      same name (smart buttons);
    - ``merge_refs``: the (model, field) references a merge counts.
    """

    key: str
    model: str
    link: str
    string: str
    counted: object
    query: object
    bound: bool = False
    move: str = ""
    copy: str = ""
    choosable: bool = True
    trash: object = None
    count_field: str = ""
    partner_count: bool = False
    merge_refs: tuple = ()

    @property
    def flag(self):
        return f"transfer_{self.key}"

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
        query=_visit_reports,
        bound=True,
        copy="_copy_bound_records",
        trash="computed",
        count_field="visit_report_count",
        partner_count=True,
        merge_refs=(("customer.visit.report", "partner_id"),),
    ),
    LinkedKind(
        key="tasks",
        model="mail.activity",
        link="res_id",
        string="Tasks",
        counted=_lt("tasks (%(count)s)"),
        query=_tasks,
        move="_move_tasks",
        trash=("_trash_hide_tasks", "_trash_unhide_tasks"),
        count_field="activity_count",
        merge_refs=(("mail.activity", "res_id"),),
    ),
    LinkedKind(
        key="appointments",
        model="calendar.event",
        link="partner_ids",
        string="Appointments",
        counted=_lt("appointments (%(count)s)"),
        query=_appointments,
        move="_move_appointments",
        copy="_copy_appointments",
        trash=("_trash_hide_appointments", "_trash_unhide_appointments"),
        count_field="event_count",
        merge_refs=(("calendar.event", "partner_ids"), ("calendar.event", "res_id")),
    ),
    LinkedKind(
        key="visit_blocks",
        model="customer.visit.block",
        link="partner_id",
        string="Visit Blocks",
        counted=_lt("visit blocks (%(count)s)"),
        query=_visit_blocks,
        bound=True,
        copy="_copy_bound_records",
        trash="computed",
        count_field="visit_block_count",
        partner_count=True,
        merge_refs=(("customer.visit.block", "partner_id"),),
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
    ),
    LinkedKind(
        key="consents",
        model="customer.consent",
        link="partner_id",
        string="GDPR Consents",
        counted=_lt("consents (%(count)s)"),
        query=_consents,
        bound=True,
        choosable=False,
        trash="computed",
    ),
)
LINKED_KINDS_BY_KEY = {kind.key: kind for kind in LINKED_KINDS}
# The kinds users choose per transfer; the others always stay on the customer.
CHOOSABLE_KINDS = tuple(kind for kind in LINKED_KINDS if kind.choosable)
# The history's counters, in the order the history and previews show them.
COUNTED_KINDS = tuple(kind for kind in LINKED_KINDS if kind.count_field)
LINKED_COUNT_FIELDS = tuple(kind.count_field for kind in COUNTED_KINDS)
