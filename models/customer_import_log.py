from odoo import fields, models

from .customer_import import IMPORT_MODES, KEY_FIELDS, TRANSFER_MODES


class CustomerImportLog(models.Model):
    """One applied customer import: who imported which file for which agent,
    how, and what it did. Written by the import engine, read by users."""

    _name = "customer.import.log"
    _description = "Customer Import Log"
    _order = "date desc, id desc"
    _rec_name = "filename"

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Imported by",
        required=True,
        default=lambda self: self.env.user,
        index=True,
    )
    agent_id = fields.Many2one(
        "res.users",
        string="For Salesperson",
        required=True,
        index=True,
        help="The salesperson whose customer list the file is.",
    )
    filename = fields.Char(string="File")
    import_mode = fields.Selection(IMPORT_MODES, required=True)
    transfer_mode = fields.Selection(TRANSFER_MODES, required=True)
    key_fields = fields.Selection(KEY_FIELDS, string="Key", required=True)
    transfer_linked = fields.Boolean(string="With Linked Data")
    count_create = fields.Integer("Created")
    count_update = fields.Integer("Updated")
    count_unchanged = fields.Integer("Unchanged")
    count_restore = fields.Integer("Restored")
    count_transfer = fields.Integer("Transferred")
    count_trash = fields.Integer("Trashed")
    count_error = fields.Integer("Errors")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
