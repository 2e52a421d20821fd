from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerStructureUnit(models.Model):
    """A node of the sales organisation (channel > branch > department).

    Merges are only allowed along one line of this tree, from the higher unit
    to the lower one (see ``customer.merge.wizard``).
    """

    _name = "customer.structure.unit"
    _description = "Customer Structure Unit"
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(
        compute="_compute_complete_name", recursive=True, store=True
    )
    kind = fields.Selection(
        [("channel", "Channel"), ("branch", "Branch"), ("department", "Department")],
        required=True,
        default="department",
    )
    parent_id = fields.Many2one(
        "customer.structure.unit",
        string="Parent Unit",
        index=True,
        ondelete="restrict",
        domain="[('company_id', 'in', [company_id, False])]",
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("customer.structure.unit", "parent_id", "Sub-units")
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    partner_count = fields.Integer(compute="_compute_partner_count")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for unit in self:
            if unit.parent_id:
                unit.complete_name = f"{unit.parent_id.complete_name} / {unit.name}"
            else:
                unit.complete_name = unit.name

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("structure_unit_id", "in", self.ids)],
                ["structure_unit_id"],
                ["__count"],
            )
        )
        for unit in self:
            unit.partner_count = counts.get(unit, 0)

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._("A structure unit cannot be its own ancestor.")
            )

    def _is_ancestor_or_self_of(self, other):
        """Whether this unit is ``other`` or lies above it in the tree."""
        self.ensure_one()
        other.ensure_one()
        return other.parent_path.startswith(self.parent_path)
