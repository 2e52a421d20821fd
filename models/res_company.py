from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..compat import USER_GROUPS_FIELD
from .customer_linked_records import CHOOSABLE_KINDS, LINKED_KINDS_BY_KEY


def _company_kind_flag(key):
    return fields.Boolean(
        LINKED_KINDS_BY_KEY[key].string,
        default=True,
        help="Follows a customer who changes hands, unless the transfer says "
        "otherwise (also when the salesperson is changed on the customer).",
    )


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_default_user_id = fields.Many2one(
        "res.users",
        string="Default salesperson for leads from non-CRM users",
        domain=lambda self: [
            ("share", "=", False),
            (
                USER_GROUPS_FIELD,
                "in",
                self.env.ref("sales_team.group_sale_salesman").id,
            ),
        ],
        help="Salesperson given to a lead that a user outside the CRM (customer "
        "service, for one) enters without a salesperson. Empty: the "
        "administrator.",
    )

    # Which kinds of linked records follow a transferred customer by default.
    transfer_visit_reports = _company_kind_flag("visit_reports")
    transfer_tasks = _company_kind_flag("tasks")
    transfer_appointments = _company_kind_flag("appointments")
    transfer_visit_blocks = _company_kind_flag("visit_blocks")
    transfer_opportunities = _company_kind_flag("opportunities")
    transfer_contacts = _company_kind_flag("contacts")

    @api.constrains("crm_default_user_id")
    def _check_crm_default_user_id(self):
        for company in self.filtered("crm_default_user_id"):
            user = company.crm_default_user_id
            if (
                user.share
                or company not in user.company_ids
                or not user._has_group("sales_team.group_sale_salesman")
            ):
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot be the default salesperson of "
                        "%(company)s: choose a CRM user of that company.",
                        user=user.name,
                        company=company.name,
                    )
                )

    def _get_crm_default_user(self):
        """The salesperson for a lead entered from outside the CRM."""
        self.ensure_one()
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        return self.crm_default_user_id or admin or self.env["res.users"]

    def _get_customer_transfer_kinds(self):
        """The keys of the kinds that follow a transferred customer by
        default in this company."""
        self.ensure_one()
        return {kind.key for kind in CHOOSABLE_KINDS if self[kind.flag]}
