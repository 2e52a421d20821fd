from odoo import api, models


class IrActionsActions(models.Model):
    _inherit = "ir.actions.actions"

    @api.model
    def get_bindings(self, model_name):
        """The contacts list's Action menu has one Merge: the module's
        (customer_merge_wizard_action_list), which opens Odoo's own merge
        dialog for contacts that are not the module's customers."""
        result = super().get_bindings(model_name)
        if model_name != "res.partner" or not result.get("action"):
            return result
        odoo_merge = self.env.ref("base.action_partner_merge", raise_if_not_found=False)
        ours = self.env.ref(
            "crm_customer_ownership.customer_merge_wizard_action_list",
            raise_if_not_found=False,
        )
        actions = result["action"]
        if odoo_merge and ours and any(a["id"] == ours.id for a in actions):
            result["action"] = [a for a in actions if a["id"] != odoo_merge.id]
        return result
