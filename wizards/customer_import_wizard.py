import base64

from odoo import api, fields, models
from odoo.tools import split_every

from ..models.customer_import import (
    COUNT_ACTIONS,
    IMPORT_MODES,
    KEY_FIELDS,
    TEMPLATE_FILENAME,
    TRANSFER_MODES,
    WRITE_BATCH,
)


class CustomerImportWizard(models.TransientModel):
    """Contacts > Import customers: a file, the agent whose list it is and
    the modes; Preview plans every row without writing, Import applies the
    plan at once. Both are methods XML-RPC clients call the same way (create
    the wizard with the file in base64, then call the method)."""

    _name = "customer.import.wizard"
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
    transfer_linked = fields.Boolean(
        string="With Linked Data",
        default=True,
        help="Transferred customers bring their visit reports, visit blocks, "
        "open tasks, future appointments and open opportunities along.",
    )
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
    line_transfer_ids = fields.One2many(
        "customer.import.wizard.line",
        "wizard_id",
        string="Transfer Rows",
        domain=[("action", "=", "transfer")],
        readonly=True,
    )
    line_trash_ids = fields.One2many(
        "customer.import.wizard.line",
        "wizard_id",
        string="Trash Rows",
        domain=[("action", "=", "trash")],
        readonly=True,
    )
    line_error_ids = fields.One2many(
        "customer.import.wizard.line",
        "wizard_id",
        string="Error Rows",
        domain=[("action", "=", "error")],
        readonly=True,
    )
    log_id = fields.Many2one("customer.import.log", readonly=True)
    template_file = fields.Binary(attachment=False, readonly=True)

    @api.onchange("import_mode")
    def _onchange_import_mode(self):
        if self.import_mode == "create":
            self.transfer_mode = "none"

    def _import_options(self):
        return {
            "agent": self.user_id,
            "import_mode": self.import_mode,
            "transfer_mode": self.transfer_mode,
            "key_fields": self.key_fields,
        }

    def _plan(self):
        self.ensure_one()
        return (
            self.env["customer.import"]
            .with_company(self.company_id)
            ._plan_import(
                base64.b64decode(self.file or b""),
                self.filename,
                **self._import_options(),
            )
        )

    def action_preview(self):
        """Plan every row and show what the import would do; writes no
        customer."""
        self._store_plan(self._plan())
        self.state = "preview"
        return self._reopen()

    def action_import(self):
        """Apply the file at once (every row or none) and show the result."""
        plan = self._plan()
        log = (
            self.env["customer.import"]
            .with_company(self.company_id)
            ._apply_plan(plan, transfer_linked=self.transfer_linked)
        )
        self._store_plan(plan)
        self.write({"state": "done", "log_id": log.id})
        return self._reopen()

    def action_back(self):
        self.line_ids.unlink()
        self.state = "upload"
        return self._reopen()

    def _store_plan(self, plan):
        self.line_ids.unlink()
        lines = plan["lines"]
        transfers = {}
        for line in lines:
            if line["action"] == "transfer":
                transfers[line["from_user_id"]] = (
                    transfers.get(line["from_user_id"], 0) + 1
                )
        users = self.env["res.users"].browse(list(transfers))
        self.write(
            {
                **{
                    f"count_{action}": plan["counts"][action]
                    for action in COUNT_ACTIONS
                },
                "count_without_history": sum(
                    1
                    for line in lines
                    if line["action"] == "create" and line["from_user_id"]
                ),
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
        partners = self.line_ids.filtered(
            lambda line: line.action not in ("unchanged", "error")
        ).partner_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imported Customers"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", partners.ids)],
            "context": {"active_test": False},
        }

    def action_download_template(self):
        """An XLSX with the expected columns."""
        self.ensure_one()
        self.template_file = base64.b64encode(
            self.env["customer.import"]._template_xlsx()
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/template_file/"
            f"{TEMPLATE_FILENAME}?download=true",
            "target": "self",
        }
