import base64
import hashlib
from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from ..models.customer_import import (
    IMPORT_MODES,
    KEY_FIELDS,
    TEMPLATE_FILENAME,
    TEMPLATE_MIMETYPE,
    TRANSFER_MODES,
    WRITE_BATCH,
)


def _plan_tab(action, string):
    return fields.One2many(
        "customer.import.wizard.line",
        "wizard_id",
        string=string,
        domain=[("action", "=", action)],
        readonly=True,
    )


class CustomerImportWizard(models.TransientModel):
    """Contacts > Import customers: a file, the agent whose list it is and
    the modes; Preview plans every row without writing, Import applies the
    plan at once. Both are methods XML-RPC clients call the same way (create
    the wizard with the file in base64, then call the method)."""

    _name = "customer.import.wizard"
    _inherit = ["customer.transfer.kinds.mixin"]
    _description = "Import Customers"

    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview"), ("done", "Done")],
        default="upload",
        required=True,
    )
    file = fields.Binary(attachment=False)
    filename = fields.Char()
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        help="Whose customer list the file is. Importing for someone else "
        "needs the sales administrator right.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    import_mode = fields.Selection(
        IMPORT_MODES,
        required=True,
        default="update",
        help="Create only: rows of customers the salesperson already has are "
        "errors. Create and update: customers absent from the file are left "
        "alone. Create, update and trash absent: they go to the trash, "
        "restorable.",
    )
    transfer_mode = fields.Selection(
        TRANSFER_MODES,
        required=True,
        default="none",
        help="What happens to a customer of the file that another salesperson "
        "has. No transfer: a new customer is created, without history. Move: "
        "it changes hands with its history. Copy: the salesperson gets a copy "
        "with its history; the other keeps the customer.",
    )
    key_fields = fields.Selection(
        KEY_FIELDS,
        string="Key",
        required=True,
        default="external",
        help="How a row finds its customer: by the ERP Number column "
        "external_ref, by the Odoo ID column id, or by the Odoo ID when the "
        "row has one and otherwise by the ERP Number.",
    )
    linked_summary = fields.Char(
        string="Linked Records",
        readonly=True,
        help="What the transferred customers bring along.",
    )
    confirm_mass_trash = fields.Boolean(
        string="Trash Them All the Same",
        help="Needed when the import would trash more of the salesperson's "
        "customers than the limits allow (by default more than half of them, "
        "or more than 3,000).",
    )
    mass_trash_warning = fields.Char(readonly=True)
    count_create = fields.Integer("To Create", readonly=True)
    count_update = fields.Integer("To Update", readonly=True)
    count_unchanged = fields.Integer("Unchanged", readonly=True)
    count_restore = fields.Integer("To Restore", readonly=True)
    count_transfer = fields.Integer("To Transfer", readonly=True)
    count_trash = fields.Integer("To Trash", readonly=True)
    count_error = fields.Integer("Errors", readonly=True)
    count_without_history = fields.Integer(
        "Created Without History",
        readonly=True,
        help="Customers another salesperson has, created anew because no "
        "transfer mode is chosen: their history stays behind.",
    )
    transfer_summary = fields.Char(
        readonly=True, help="How many customers are transferred from whom."
    )
    line_ids = fields.One2many(
        "customer.import.wizard.line", "wizard_id", string="Plan", readonly=True
    )
    # The plan's filters as tabs of the dialog: a search view would leave the
    # dialog, and with it the wizard and its file.
    line_transfer_ids = _plan_tab("transfer", "Transfer Rows")
    line_trash_ids = _plan_tab("trash", "Trash Rows")
    line_error_ids = _plan_tab("error", "Error Rows")
    log_id = fields.Many2one("customer.import.log", readonly=True)
    log_state = fields.Selection(related="log_id.state", string="Import State")
    log_progress = fields.Integer(related="log_id.progress", string="Progress")
    log_plan_summary = fields.Char(related="log_id.plan_summary")
    template_file = fields.Binary(attachment=False, readonly=True)
    preview_signature = fields.Char(
        readonly=True,
        copy=False,
        help="Fingerprint of the file and the options the preview was made "
        "with: the import applies exactly what was previewed.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("user_id"):
                self.env["customer.import"]._check_agent_exists(
                    self.env["res.users"].browse(vals["user_id"])
                )
            self._check_log_readable(vals)
            self._check_file_size(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_log_readable(vals)
        self._check_file_size(vals)
        return super().write(vals)

    def _check_file_size(self, vals):
        if vals.get("file"):
            self.env["customer.import"]._check_upload_size(
                vals["file"], vals.get("filename") or self[:1].filename
            )

    @api.onchange("file")
    def _onchange_file(self):
        # Said as soon as the file is chosen, not when the import starts.
        try:
            self._check_file_size({"file": self.file, "filename": self.filename})
        except UserError as refusal:
            self.file = False
            return {
                "warning": {
                    "title": self.env._("File too large"),
                    "message": refusal.args[0],
                }
            }

    def _check_log_readable(self, vals):
        # The log's state, progress and plan summary are related fields,
        # read as superuser: a wizard pointed at another user's log over
        # XML-RPC would read them past the log's rules.
        if vals.get("log_id"):
            self.env["customer.import.log"].browse(vals["log_id"]).check_access("read")

    @api.onchange("import_mode")
    def _onchange_import_mode(self):
        if self.import_mode == "create":
            self.transfer_mode = "none"

    @api.onchange("transfer_mode")
    def _onchange_transfer_mode(self):
        self._apply_transfer_mode_to_kinds(self.transfer_mode)

    def _import_options(self):
        return {
            "agent": self.user_id,
            "filename": self.filename,
            "import_mode": self.import_mode,
            "transfer_mode": self.transfer_mode,
            "key_fields": self.key_fields,
            "confirm_mass_trash": self.confirm_mass_trash,
        }

    def _plan(self):
        self.ensure_one()
        return (
            self.env["customer.import"]
            .with_company(self.company_id)
            ._plan_import(base64.b64decode(self.file or b""), **self._import_options())
        )

    def action_preview(self):
        """Plan every row and show what the import would do; writes no
        customer. A large file is planned in the background."""
        if self._is_background_import():
            return self._queue_import(preview_only=True)
        plan = self._plan()
        self._store_plan(plan)
        self.write(
            {
                "state": "preview",
                "preview_signature": self._signature(),
                "linked_summary": self._linked_summary(plan),
            }
        )
        return self._reopen()

    def _signature(self):
        """Fingerprint of what the plan depends on: the file and the options."""
        self.ensure_one()
        options = (
            self.filename,
            self.user_id.id,
            self.company_id.id,
            self.import_mode,
            self.transfer_mode,
            self.key_fields,
            sorted(self._chosen_transfer_kinds()),
        )
        digest = hashlib.sha256(repr(options).encode())
        file = self.file or b""
        digest.update(file.encode() if isinstance(file, str) else file)
        return digest.hexdigest()

    def _check_unchanged_since_preview(self):
        if self.preview_signature and self.preview_signature != self._signature():
            raise UserError(
                self.env._(
                    "The file or the import options changed since the preview, "
                    "so nothing was imported: preview the import again, check "
                    "it, then import."
                )
            )

    def action_import(self):
        """Apply the file at once (every row or none) and show the result. A
        file over the background threshold is queued instead: the wizard
        shows the progress of its import log."""
        self._check_unchanged_since_preview()
        if self._is_background_import():
            return self._queue_import()
        plan = self._plan()
        self.linked_summary = self._linked_summary(plan)
        log = (
            self.env["customer.import"]
            .with_company(self.company_id)
            ._apply_plan(plan, kinds=self._chosen_transfer_kinds())
        )
        self._store_plan(plan)
        self.write({"state": "done", "log_id": log.id})
        return self._reopen()

    def _is_background_import(self):
        self.ensure_one()
        return self.env["customer.import.log"]._is_background_file(
            base64.b64decode(self.file or b"")
        )

    def _queue_import(self, preview_only=False):
        log = (
            self.env["customer.import.log"]
            .with_company(self.company_id)
            ._queue_import(
                base64.b64decode(self.file or b""),
                self._import_options(),
                kinds=self._chosen_transfer_kinds(),
                preview_only=preview_only,
            )
        )
        vals = {"state": "preview" if preview_only else "done", "log_id": log.id}
        if preview_only:
            vals["preview_signature"] = self._signature()
        self.write(vals)
        return self._reopen()

    def _linked_summary(self, plan):
        """What the plan's transferred customers bring along, e.g. '12 visit
        reports, 3 tasks', from the transfer engine's own preview."""
        sources = self.env["res.partner"].browse(
            [
                line["source_id"]
                for line in plan["lines"]
                if line["action"] == "transfer"
            ]
        )
        if not sources:
            return False
        counts = sources._transfer_preview(
            self.user_id,
            mode=self.transfer_mode,
            kinds=self._chosen_transfer_kinds(),
        )
        totals = Counter()
        for partner_counts in counts.values():
            totals.update(partner_counts)
        return self.env["customer.ownership.history"]._summary_counts(totals)

    def action_back(self):
        self.line_ids.unlink()
        self.write({"state": "upload", "preview_signature": False})
        return self._reopen()

    def _store_plan(self, plan):
        self.line_ids.unlink()
        lines = plan["lines"]
        transfers = Counter(
            line["from_user_id"] for line in lines if line["action"] == "transfer"
        )
        users = self.env["res.users"].browse(list(transfers))
        self.write(
            {
                **self.env["customer.import"]._count_vals(plan),
                "count_without_history": sum(
                    1
                    for line in lines
                    if line["action"] == "create" and line["from_user_id"]
                ),
                "mass_trash_warning": plan["mass_trash"],
                "transfer_summary": ", ".join(
                    f"{user.sudo().name}: {transfers[user.id]}" for user in users
                ),
            }
        )
        for batch in split_every(WRITE_BATCH, lines, list):
            self.env["customer.import.wizard.line"].create(
                [
                    {
                        "wizard_id": self.id,
                        "row": line["row"],
                        "key": line["key"],
                        "action": line["action"],
                        "partner_id": line["partner_id"],
                        "from_user_id": line["from_user_id"],
                        "from_trash": line["from_trash"],
                        "message": line["message"],
                        "name": line["name"],
                        "changes": line["changes"],
                    }
                    for line in batch
                ]
            )
            # Thousands of plan lines need not stay in memory once written.
            self.env.invalidate_all()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            # Without a name the dialog's title becomes "Odoo".
            "name": self.env._("Import Customers"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": dict(self.env.context, dialog_size="extra-large"),
        }

    def action_view_lines(self):
        """The plan lines in a list with filters (transfers, errors...)."""
        self.ensure_one()
        if self.log_id.line_count and not self.line_ids:
            # A large file's plan, made in the background, is on its log.
            action = self.log_id.action_view_lines()
        else:
            action = self.env["ir.actions.actions"]._for_xml_id(
                "crm_customer_ownership.customer_import_wizard_line_action"
            )
            action["domain"] = [("wizard_id", "=", self.id)]
        filters = self.env.context.get("plan_filter")
        if filters:
            action["context"] = {f"search_default_{filters}": 1}
        return action

    def action_view_customers(self):
        """The customers the import created, changed, transferred or trashed."""
        self.ensure_one()
        if self.log_id.line_count and not self.line_ids:
            return self.log_id.action_view_customers()
        partners = self.line_ids.filtered(
            lambda line: line.action not in ("unchanged", "error")
        ).partner_id
        return self.env["customer.import"]._action_imported_customers(
            self.log_id, partners
        )

    def action_download_template(self):
        """An XLSX with the expected columns."""
        self.ensure_one()
        self.template_file = base64.b64encode(
            self.env["customer.import"]._template_xlsx()
        )
        return {
            "type": "ir.actions.act_url",
            # The type given: guessed from the file's first kilobyte, a zip
            # whose directory is at its end, Odoo logs two warnings.
            "url": f"/web/content/{self._name}/{self.id}/template_file/"
            f"{TEMPLATE_FILENAME}?download=true&mimetype={TEMPLATE_MIMETYPE}",
            "target": "self",
        }
