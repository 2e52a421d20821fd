from odoo import api, models


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _get_int_param(self, key, default, minimum=0):
        """An integer system parameter: ``default`` when it is unset or
        unreadable (a typo in Settings must not stop the scheduled purge or
        an import), never below ``minimum``."""
        # sudo: system parameters are readable by administrators only; the
        # module's settings are not secrets.
        value = self.sudo().get_param(key)
        try:
            return max(int(value), minimum) if value else default
        except ValueError:
            return default
