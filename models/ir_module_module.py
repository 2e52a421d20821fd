from odoo import api, models

from ..compat import load_series_data


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    @api.model
    def _crm_customer_ownership_load_series_data(self, kind):
        """The step of the manifest's data (and demo) that loads the records
        this Odoo series spells its own way (see compat.load_series_data)."""
        load_series_data(self.env, kind)
