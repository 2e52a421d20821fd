import base64
from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user
from odoo.tools import SQL

from .common import CustomerOwnershipCase


class CustomerMergeCase(CustomerOwnershipCase):
    """Users who may merge, an organisation tree, and helpers to build
    customers with linked documents and to prove that nothing changed.

    Tree: Field Sales (channel) > North (branch) > North 1 (department);
    Field Sales > South (branch); Key Accounts (another channel).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other Company"})
        cls.contact_manager = new_test_user(
            cls.env,
            login="t_contact_manager",
            name="Test Contact Manager",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=[cls.company.id, cls.other_company.id],
        )
        Unit = cls.env["customer.structure.unit"]
        cls.channel = Unit.create({"name": "Field Sales", "kind": "channel"})
        cls.north = Unit.create(
            {"name": "North", "kind": "branch", "parent_id": cls.channel.id}
        )
        cls.north_1 = Unit.create(
            {"name": "North 1", "kind": "department", "parent_id": cls.north.id}
        )
        cls.south = Unit.create(
            {"name": "South", "kind": "branch", "parent_id": cls.channel.id}
        )
        cls.key_accounts = Unit.create({"name": "Key Accounts", "kind": "channel"})

    def _customer(self, name, **vals):
        vals.setdefault("user_id", self.huber.id)
        return self.Partner.create(dict(vals, name=name))

    def _pair(self, source_vals=None, target_vals=None):
        """A wrong customer (A) and a right one (B)."""
        source = self._customer("Wrong Customer", **(source_vals or {}))
        target = self._customer("Right Customer", **(target_vals or {}))
        return source, target

    def _merge_wizard(self, source, target, user=None, **context):
        """The merge wizard of ``source`` into ``target``, created by
        ``user`` (the sales manager unless given)."""
        return (
            self.env["customer.merge.wizard"]
            .with_user(user or self.sales_manager)
            .with_context(**context)
            .create({"source_partner_id": source.id, "target_partner_id": target.id})
        )

    def _merge(self, source, target, user=None):
        """Merge through the wizard, as an XML-RPC client or the UI would."""
        return self._merge_wizard(source, target, user).action_merge()

    def _forbid_contact_managers_to_modify(self, target):
        """A record rule: contact managers may read ``target``, not modify it."""
        self.env["ir.rule"].create(
            {
                "name": "Contact managers may not modify the right customer",
                "model_id": self.env.ref("base.model_res_partner").id,
                "groups": [self.env.ref("base.group_partner_manager").id],
                "domain_force": f"[('id', '!=', {target.id})]",
                "perm_read": False,
                "perm_create": False,
                "perm_unlink": False,
            }
        )

    def assertMergedAway(self, source, target):
        """The wrong customer is kept for an undo, archived, marked as merged
        into ``target``, and out of every list and lookup."""
        self.assertTrue(source.exists())
        self.assertRecordValues(
            source.with_context(active_test=False),
            [{"active": False, "merged_into_id": target.id, "external_ref": False}],
        )
        self.assertTrue(source.merged_at)
        Partner = self.env["res.partner"]
        self.assertNotIn(source, Partner.search([("name", "=", source.name)]))
        self.assertNotIn(
            source.id, [pid for pid, _name in Partner.name_search(source.name)]
        )

    def _event(self, name, partners, **vals):
        """An appointment in three days with ``partners`` attending."""
        start = fields.Datetime.now() + timedelta(days=3)
        return self.env["calendar.event"].create(
            dict(
                vals,
                name=name,
                start=start,
                stop=start + timedelta(hours=1),
                partner_ids=[(6, 0, partners.ids)],
            )
        )

    def _attachment(self, name, res_model=False, res_id=0):
        return self.env["ir.attachment"].create(
            {
                "name": name,
                "datas": base64.b64encode(name.encode()),
                "res_model": res_model,
                "res_id": res_id,
            }
        )

    def _consent(self, partner, purpose="Newsletter", documents=()):
        consent = self.env["customer.consent"].create(
            {"partner_id": partner.id, "purpose": purpose, "granted_on": "2025-03-01"}
        )
        if documents:
            consent.document_ids = [
                self._attachment(name, "customer.consent", consent.id).id
                for name in documents
            ]
        return consent

    def _snapshot(self, *partners):
        """Everything a merge could change about these customers and what is
        linked to them, as plain data."""
        env = self.env(su=True)
        Redirect = env["customer.reference.redirect"]
        references = Redirect._find_references("res.partner")
        snapshot = {}
        for partner in partners:
            consents = (
                env["customer.consent"]
                .with_context(active_test=False)
                .search([("partner_id", "=", partner.id)])
            )
            snapshot[partner.id] = {
                "exists": bool(partner.exists()),
                "values": partner.exists()
                .with_context(active_test=False)
                .read(
                    [
                        "name",
                        "email",
                        "phone",
                        "parent_id",
                        "user_id",
                        "active",
                        "external_ref",
                        "merged_into_id",
                    ]
                ),
                "references": Redirect._count_references(
                    references, "res.partner", {partner.id: 0}
                ),
                "consents": consents.read(["active"]),
                "documents": [
                    (doc.id, doc.res_model, doc.res_id) for doc in consents.document_ids
                ],
                "history": env["customer.ownership.history"].search_count(
                    [("partner_id", "=", partner.id)]
                ),
            }
        return snapshot

    def _links(self, *partners):
        """Every row of every table that points at one of ``partners``, as
        {(table, column): {row key: partner id}}: found by the same generic
        discovery as the merge, consents and ``ir.default`` included, plus
        where each consent document is attached. A row key is the row's id,
        or for relation tables without id its other column's value."""
        env = self.env(su=True)
        env.flush_all()
        Redirect = env["customer.reference.redirect"]
        ids = [partner.id for partner in partners]
        cr = env.cr
        links = {}
        for reference in Redirect._find_references("res.partner"):
            if reference.kind == "company_dependent":
                continue
            if reference.has_id:
                key = SQL("t.id")
            elif reference.keys:
                key = SQL.identifier("t", reference.keys[0])
            else:
                continue
            for partner_id in ids:
                cr.execute(
                    SQL(
                        "SELECT %s FROM %s AS t WHERE %s",
                        key,
                        SQL.identifier(reference.table),
                        Redirect._sql_points_at(
                            reference, "t", "res.partner", SQL("%s", partner_id)
                        ),
                    )
                )
                rows = links.setdefault((reference.table, reference.column), {})
                rows.update(
                    dict.fromkeys((row[0] for row in cr.fetchall()), partner_id)
                )
        cr.execute(
            SQL(
                """
                SELECT d.id, d.json_value FROM ir_default d
                  JOIN ir_model_fields f ON f.id = d.field_id
                 WHERE f.ttype = 'many2one' AND f.relation = 'res.partner'
                   AND d.json_value = ANY(%s)
                """,
                [str(i) for i in ids],
            )
        )
        links[("ir_default", "json_value")] = dict(cr.fetchall())
        consents = (
            env["customer.consent"]
            .with_context(active_test=False)
            .search([("partner_id", "in", ids)])
        )
        links[("customer_consent", "active")] = {c.id: c.active for c in consents}
        links[("ir_attachment", "consent_document")] = {
            doc.id: (doc.res_model, doc.res_id) for doc in consents.document_ids
        }
        return {key: rows for key, rows in links.items() if rows}

    def assertLinksRestored(self, before, after):
        """Every row linked before is linked as before; rows that did not
        exist before (notes of the merge and the undo) are not compared."""
        for key, rows in before.items():
            now = after.get(key, {})
            self.assertEqual(
                {row: now.get(row) for row in rows}, rows, f"{key[0]}.{key[1]}"
            )
