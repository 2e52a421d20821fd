from markupsafe import Markup, escape

from odoo import api, fields, models

from ..models.customer_ownership_history import LINKED_COUNT_FIELDS


class CustomerTransferWizard(models.TransientModel):
    """Action > Transfer customer: collects the target and the mode, shows
    what will move, and hands over to ``res.partner._transfer_customers``."""

    _name = "customer.transfer.wizard"
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
        [("move", "Move"), ("copy", "Copy")],
        required=True,
        default="move",
        help="Move: the customer changes hands with its history. "
        "Copy: the new salesperson gets a copy; the original stays.",
    )
    transfer_linked = fields.Boolean(
        string="With Linked Data",
        default=True,
        help="Bring the visit reports, visit blocks, open tasks, future "
        "appointments and open opportunities along.",
    )
    preview_html = fields.Html(
        string="What Will Move", compute="_compute_preview_html", sanitize=False
    )

    @api.model
    def _default_partner_ids(self):
        if self.env.context.get("active_model") == "res.partner":
            return self.env.context.get("active_ids") or []
        return []

    @api.depends("partner_ids", "transfer_mode", "transfer_linked")
    def _compute_preview_html(self):
        for wizard in self:
            wizard.preview_html = wizard._render_preview(wizard._preview_by_owner())

    def _preview_by_owner(self):
        """{owner name: {"customers": n, <count key>: n}} for the preview."""
        partners = self.partner_ids._origin.with_context(active_test=False)
        linked = partners._get_transferable_records() if self.transfer_linked else {}
        summary = {}
        for partner in partners:
            owner = partner.user_id.name or self.env._("No salesperson")
            row = summary.setdefault(
                owner, dict.fromkeys(("customers", *LINKED_COUNT_FIELDS), 0)
            )
            row["customers"] += 1
            for key in LINKED_COUNT_FIELDS:
                if self.transfer_mode == "copy" and key in (
                    "activity_count",
                    "lead_count",
                ):
                    continue
                row[key] += len(linked.get(key, {}).get(partner.id, ()))
        return summary

    def _render_preview(self, summary):
        if not summary:
            return False
        History = self.env["customer.ownership.history"]
        columns = [("customers", self.env._("Customers"))] + [
            (key, History._fields[key].get_description(self.env)["string"])
            for key in LINKED_COUNT_FIELDS
        ]
        head = Markup("").join(
            Markup("<th class='text-end'>%s</th>") % label for _key, label in columns
        )
        rows = Markup("").join(
            Markup("<tr><td>%s</td>%s</tr>")
            % (
                owner,
                Markup("").join(
                    Markup("<td class='text-end'>%s</td>") % row[key]
                    for key, _label in columns
                ),
            )
            for owner, row in sorted(summary.items())
        )
        return Markup(
            "<table class='table table-sm'><thead><tr><th>%s</th>%s</tr></thead>"
            "<tbody>%s</tbody></table>"
        ) % (escape(self.env._("Current salesperson")), head, rows)

    def action_transfer(self):
        """Transfer the customers; return an action showing the result."""
        self.ensure_one()
        result = self.partner_ids._transfer_customers(
            self.target_user_id,
            mode=self.transfer_mode,
            transfer_linked=self.transfer_linked,
            origin="manual",
        )
        partner_ids = [line["partner_id"] for line in result.values()]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Transferred Customers"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", partner_ids)],
            "target": "current",
        }
