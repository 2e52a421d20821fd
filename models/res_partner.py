import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools.mail import generate_tracking_message_id

from ..compat import Constraint, message_author
from .customer_linked_records import LINKED_KINDS, LINKED_KINDS_BY_KEY, MARKING_RECORDS

_logger = logging.getLogger(__name__)

EXTERNAL_REF_MAX_LENGTH = 64


def context_flag(name):
    """(context manager that sets a flag, function that reads it). A Python
    context variable, not an Odoo context key: an XML-RPC client sends
    whatever context keys it likes, but cannot reach this."""
    flag = ContextVar(name, default=False)

    @contextmanager
    def setting():
        token = flag.set(True)
        try:
            yield
        finally:
            flag.reset(token)

    return setting, flag.get


# Set while one of the module's own workflows (trash, restore, purge,
# transfer) writes what create/write refuse to others: the trash stamps, a
# new salesperson, a customer with history deleted.
ownership_workflow, in_ownership_workflow = context_flag(
    "crm_customer_ownership_workflow"
)


# The trash stamps: set by Move to trash, Restore, the import and the purge.
TRASH_FIELDS = ("trashed_at", "trashed_by_id")
# The merge marks: set by the merge and its undo.
MERGE_MARK_FIELDS = (
    "merged_into_id",
    "merged_at",
    "merged_by_id",
    "merged_external_ref",
)
# Both are engine-owned: see ENGINE_FIELDS (customer_engine_guard.py).

# What makes a partner a customer of this module, under its rules (merge
# through the engine, no delete of a customer with history, a new
# salesperson as a transfer): one of its own fields set...
OWNERSHIP_CUSTOMER_FIELDS = (
    "external_ref",
    "is_synced",
    "structure_unit_id",
    "trashed_at",
    "merged_into_id",
)
# ... or one of its own records linked (MARKING_RECORDS: visit data,
# consents, an ownership history). Other partners, a salesperson set or not,
# behave as in stock Odoo.


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Imports, the trash and record rules all filter customers by owner.
    user_id = fields.Many2one(index=True)
    external_ref = fields.Char(
        string="ERP Number",
        index=True,
        copy=False,
        tracking=True,
        help="The customer number in the ERP that sends this customer. "
        "Unique per salesperson; a customer copied to another salesperson "
        "keeps its number.",
    )
    trashed_at = fields.Datetime(
        string="Trashed on", copy=False, readonly=True, index=True
    )
    trashed_by_id = fields.Many2one(
        "res.users", string="Trashed by", copy=False, readonly=True
    )
    is_synced = fields.Boolean(
        string="Synchronised",
        copy=False,
        tracking=True,
        help="This customer is kept in sync with an outside register "
        "(the ERP). A synchronised customer is never merged into an "
        "unsynchronised one.",
    )
    structure_unit_id = fields.Many2one(
        "customer.structure.unit",
        index=True,
        tracking=True,
        ondelete="restrict",
        check_company=True,
    )
    consent_ids = fields.One2many("customer.consent", "partner_id", "GDPR Consents")
    visit_report_ids = fields.One2many(
        "customer.visit.report", "partner_id", "Visit Reports"
    )
    visit_block_ids = fields.One2many(
        "customer.visit.block", "partner_id", "Visit Blocks"
    )
    trash_purge_date = fields.Datetime(
        string="Will be purged on",
        compute="_compute_trash_purge_date",
        help="When the scheduled action will purge this customer from the trash.",
    )
    ownership_history_ids = fields.One2many("customer.ownership.history", "partner_id")
    # The imports that touched the customer: the "Imported Customers" list
    # of an import is a domain on it, so that reloading the list's URL
    # shows the same customers.
    import_log_line_ids = fields.One2many(
        "customer.import.log.line",
        "partner_id",
        string="Import Log Entries",
        groups="sales_team.group_sale_salesman",
    )
    visit_report_count = fields.Integer(compute="_compute_visit_counts")
    visit_block_count = fields.Integer(compute="_compute_visit_counts")

    _external_ref_owner_uniq = Constraint(
        "UNIQUE (user_id, external_ref)",
        "This salesperson already has a customer with this ERP Number.",
    )
    _external_ref_length_check = Constraint(
        f"CHECK (char_length(external_ref) <= {EXTERNAL_REF_MAX_LENGTH})",
        f"An ERP Number has at most {EXTERNAL_REF_MAX_LENGTH} characters.",
    )

    @api.depends("trashed_at")
    def _compute_trash_purge_date(self):
        retention = timedelta(days=self._get_trash_retention_days())
        for partner in self:
            partner.trash_purge_date = (
                partner.trashed_at and partner.trashed_at + retention
            )

    def _compute_visit_counts(self):
        # Reports and blocks are archived only while their customer is in the
        # trash: counting them all keeps the trashed customer's smart buttons
        # showing what a restore brings back.
        for kind in LINKED_KINDS:
            if not kind.partner_count:
                continue
            counts = dict(
                self.env[kind.model]
                .with_context(active_test=False)
                ._read_group([(kind.link, "in", self.ids)], [kind.link], ["__count"])
            )
            for partner in self:
                partner[kind.count_field] = counts.get(partner, 0)

    @api.model
    def _normalize_external_ref(self, vals):
        """Strip the ERP number; an empty number is no number."""
        if isinstance(vals.get("external_ref"), str):
            vals["external_ref"] = vals["external_ref"].strip() or False
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(
            [self._normalize_external_ref(dict(vals)) for vals in vals_list]
        )

    def write(self, vals):
        return super().write(self._normalize_external_ref(dict(vals)))

    def _ownership_customers(self):
        """The customers of this module among these partners (see
        OWNERSHIP_CUSTOMER_FIELDS and MARKING_RECORDS), archived
        ones included."""
        # sudo: a record the user may not read still makes its partner a
        # customer whose rules must hold; only the partners are returned.
        partners = self.sudo().with_context(active_test=False)
        customers = partners.filtered(
            lambda partner: any(partner[f] for f in OWNERSHIP_CUSTOMER_FIELDS)
        )
        others = partners - customers
        for records in MARKING_RECORDS:
            if not others:
                break
            linked = {
                partner.id
                for (partner,) in self.env[records.model]
                .sudo()
                .with_context(active_test=False)
                ._read_group([(records.link, "in", others.ids)], [records.link])
            }
            found = others.filtered(lambda partner, ids=linked: partner.id in ids)
            customers |= found
            others -= found
        return self.filtered(lambda partner: partner in customers)

    def action_view_visit_reports(self):
        return self._action_view_kind("visit_reports")

    def action_view_visit_blocks(self):
        return self._action_view_kind("visit_blocks")

    def _action_view_kind(self, key):
        """The records of kind ``key`` of this customer (its smart button),
        archived ones too while it is in the trash."""
        self.ensure_one()
        kind = LINKED_KINDS_BY_KEY[key]
        action = self.env["ir.actions.actions"]._for_xml_id(kind.action)
        action["domain"] = [(kind.link, "=", self.id)]
        action["context"] = {
            f"default_{kind.link}": self.id,
            "active_test": not self.trashed_at,
        }
        return action

    def _log_ownership_message(self, body):
        """The same chatter note on every customer of ``self``."""
        self._log_ownership_messages(dict.fromkeys(self.ids, body))

    @api.model
    def _log_ownership_messages(self, bodies):
        """One chatter note per customer, {partner id: plain text}, in one
        INSERT.

        Transfers and imports log on thousands of customers at once, where
        the ORM path (_message_log_batch) costs per message; the notes notify
        nobody, so nothing but the rows is needed. Written as superuser, like
        _message_log_batch: every caller has checked access to the customers
        first.
        """
        if not bodies:
            return
        Thread = self.env["mail.thread"]
        author_id, email_from = message_author(self.env)
        reply_to = Thread._notify_get_reply_to(default=email_from)[False]
        self.env["mail.message"].flush_model()
        self.env.cr.execute(
            """
            INSERT INTO mail_message
                   (model, res_id, body, message_type, subtype_id, is_internal,
                    author_id, email_from, reply_to, email_add_signature,
                    message_id, date, create_uid, create_date, write_uid,
                    write_date)
            SELECT 'res.partner', t.res_id, t.body, 'notification', %(subtype)s,
                   TRUE, %(author)s, %(email_from)s, %(reply_to)s, FALSE,
                   %(message_id)s, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(ids)s::int[], %(bodies)s::text[]) AS t(res_id, body)
            """,
            {
                "subtype": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                "author": author_id,
                "email_from": email_from,
                "reply_to": reply_to,
                "message_id": generate_tracking_message_id("message-notify"),
                "now": fields.Datetime.now(),
                "uid": self.env.uid,
                "ids": list(bodies),
                "bodies": [str(Markup("<p>%s</p>") % body) for body in bodies.values()],
            },
        )
        self.env["mail.message"].invalidate_model()
        self.browse(list(bodies)).invalidate_recordset(["message_ids"])

    def action_view_ownership_history(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "crm_customer_ownership.customer_ownership_history_action"
        )
        action["domain"] = [
            "|",
            ("partner_id", "=", self.id),
            ("source_partner_id", "=", self.id),
        ]
        return action
