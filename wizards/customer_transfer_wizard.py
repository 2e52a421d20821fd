from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.customer_linked_records import CHOOSABLE_KINDS, COUNTED_KINDS
from ..models.res_partner_transfer import TRANSFER_MODES
from ..models.res_partner_trash import NAMED_CUSTOMERS


class CustomerTransferWizard(models.TransientModel):
    """Action > Transfer customer: collects the target, the mode and what
    follows, shows what will move, and hands over to
    ``res.partner._transfer_customers``."""

    _name = "customer.transfer.wizard"
    _inherit = ["customer.transfer.kinds.mixin"]
    _description = "Transfer Customers to Another Salesperson"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        required=True,
        default=lambda self: self._default_partner_ids(),
        context={"active_test": False},
    )
    target_user_id = fields.Many2one(
        "res.users",
        string="New Salesperson",
        required=True,
        domain="[('share', '=', False), ('company_ids', 'in', allowed_company_ids)]",
    )
    transfer_mode = fields.Selection(
        TRANSFER_MODES,
        required=True,
        default="move",
        help="Move: the customer changes hands with its history. "
        "Copy: the new salesperson gets a copy; the original stays.",
    )
    preview_html = fields.Html(
        string="What Will Move", compute="_compute_preview_html", sanitize=False
    )

    @api.model
    def _default_partner_ids(self):
        if self.env.context.get("active_model") == "res.partner":
            return self.env.context.get("active_ids") or []
        return []

    @api.onchange("transfer_mode")
    def _onchange_transfer_mode(self):
        self._apply_transfer_mode_to_kinds(self.transfer_mode)

    @api.depends(
        "partner_ids",
        "target_user_id",
        "transfer_mode",
        *(kind.flag for kind in CHOOSABLE_KINDS),
    )
    def _compute_preview_html(self):
        for wizard in self:
            wizard.preview_html = wizard._render_preview(wizard._preview_by_owner())

    def _preview_by_owner(self):
        """{owner name: {"customers": n, <count field>: n}} of what will
        follow, from the engine's own preview."""
        partners = self.partner_ids._origin.with_context(active_test=False)
        counts = partners._transfer_preview(
            self.target_user_id._origin,
            mode=self.transfer_mode,
            kinds=self._chosen_transfer_kinds(),
        )
        summary = {}
        for partner in partners.browse(list(counts)):
            owner = partner.user_id.name or self.env._("No salesperson")
            row = summary.setdefault(
                owner,
                dict.fromkeys(
                    ("customers", *(k.count_field for k in COUNTED_KINDS)), 0
                ),
            )
            row["customers"] += 1
            for key, count in counts[partner.id].items():
                row[key] += count
        return summary

    def _render_preview(self, summary):
        if not summary:
            return False
        # The history's counters, labelled as its fields (translated).
        labels = self.env["customer.ownership.history"].fields_get(
            [kind.count_field for kind in COUNTED_KINDS], ["string"]
        )
        counters = {
            kind.count_field: labels[kind.count_field]["string"]
            for kind in COUNTED_KINDS
        }
        return self.env["ir.qweb"]._render(
            "crm_customer_ownership.customer_transfer_preview",
            {"counters": counters, "summary": sorted(summary.items())},
        )

    def action_transfer(self):
        """Transfer the customers; return an action showing the result."""
        self.ensure_one()
        result = self.partner_ids._transfer_customers(
            self.target_user_id,
            mode=self.transfer_mode,
            origin="manual",
            kinds=self._chosen_transfer_kinds(),
        )
        skipped = self.partner_ids.browse(
            [pid for pid, line in result.items() if line["skipped"]]
        )
        if skipped and len(skipped) == len(result):
            raise UserError(
                self.env._(
                    "Nothing was transferred. Already customers of %(user)s: "
                    "%(customers)s.",
                    customers=", ".join(skipped.mapped("display_name")),
                    user=self.target_user_id.name,
                )
            )
        partners = self.env["res.partner"].browse(
            [line["partner_id"] for line in result.values() if not line["skipped"]]
        )
        return self._transferred_notification(partners, skipped)

    def _transferred_notification(self, partners, skipped):
        """Say what moved to whom (and what was skipped), then land on the
        customer, or on the list of the customers, the transfer made."""
        names = ", ".join(partners[:NAMED_CUSTOMERS].mapped("display_name"))
        if len(partners) > NAMED_CUSTOMERS:
            names += ", …"
        message = names
        if skipped:
            message += " · " + self.env._(
                "Skipped, already customers of %(user)s: %(customers)s.",
                customers=", ".join(skipped.mapped("display_name")),
                user=self.target_user_id.name,
            )
        title = (
            self.env._(
                "Moved to %(user)s: %(count)s",
                user=self.target_user_id.name,
                count=len(partners),
            )
            if self.transfer_mode == "move"
            else self.env._(
                "Copied for %(user)s: %(count)s",
                user=self.target_user_id.name,
                count=len(partners),
            )
        )
        # The customer itself when there is one (a copy is a new record);
        # the list when there are several.
        landing = {
            "type": "ir.actions.act_window",
            "name": self.env._("Transferred Customers"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", partners.ids)],
            "target": "current",
        }
        if len(partners) == 1:
            landing.update(
                name=partners.display_name,
                res_id=partners.id,
                view_mode="form",
                views=[(False, "form")],
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if skipped else "success",
                "title": title,
                "message": message,
                "next": landing,
            },
        }
