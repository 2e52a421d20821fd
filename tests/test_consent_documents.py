import base64
import importlib.util

from odoo.tests import Form
from odoo.tools.misc import file_path

from .common_lead_access import LeadAccessCase

PDF = b"%PDF-1.4\n% signed consent\n"


def _upload_before_save(env, model):
    """What /web/binary/upload_attachment stores for many2many_binary on a
    record not saved yet: the file with res_id 0."""
    return env["ir.attachment"].create(
        {
            "name": "signed_consent.pdf",
            "datas": base64.b64encode(PDF),
            "mimetype": "application/pdf",
            "res_model": model,
            "res_id": 0,
        }
    )


class TestConsentDocuments(LeadAccessCase):
    """A consent's signed PDF, uploaded through the customer's form, is
    readable by everyone who may open the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.customer = cls.customers["huber"]
        admin_env = cls.env(user=cls.admin)
        cls.document = _upload_before_save(admin_env, "customer.consent")
        form = Form(cls.customer.with_user(cls.admin))
        with form.consent_ids.new() as line:
            line.purpose = "Signed newsletter consent"
            line.document_ids.add(cls.document)
        form.save()
        cls.consent = cls.customer.consent_ids.filtered(
            lambda consent: consent.purpose == "Signed newsletter consent"
        )

    def _open_as(self, user):
        customer = self.customer.with_user(user)
        customer.invalidate_recordset()
        customer.read(["name", "consent_ids"])
        self.assertEqual(
            customer.consent_ids.document_ids.read(["name", "mimetype"])[0]["name"],
            "signed_consent.pdf",
        )
        with Form(customer) as form:
            self.assertIn(self.consent.id, form.consent_ids.ids)

    def test_document_attached_to_its_consent(self):
        self.assertEqual(len(self.consent), 1)
        self.assertEqual(self.consent.document_ids, self.document)
        self.assertEqual(self.document.res_model, "customer.consent")
        self.assertEqual(self.document.res_id, self.consent.id)

    def test_customer_people_open_the_customer(self):
        for key in ("huber", "team_lead", "service"):
            with self.subTest(user=key):
                self._open_as(self.users[key])

    def test_document_added_on_write_is_attached(self):
        consent = self.linked["customer.consent"]["huber"].with_user(self.huber)
        document = _upload_before_save(consent.env, consent._name)
        consent.write({"document_ids": [(4, document.id)]})
        self.assertEqual(
            (document.res_model, document.res_id), (consent._name, consent.id)
        )
        self.customer.with_user(self.service).consent_ids.document_ids.read(["name"])

    def test_migration_attaches_existing_documents(self):
        self.env.cr.execute(
            "UPDATE ir_attachment SET res_model = NULL, res_id = 0 WHERE id = %s",
            [self.document.id],
        )
        self.env.invalidate_all()
        spec = importlib.util.spec_from_file_location(
            "post_migrate",
            file_path("crm_customer_ownership/migrations/2.0.0/post-migrate.py"),
        )
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(
            (self.document.res_model, self.document.res_id),
            ("customer.consent", self.consent.id),
        )
        self._open_as(self.team_lead)

    def test_demo_consent_document_readable(self):
        document = self.env.ref(
            "crm_customer_ownership.demo_consent_c01_document", raise_if_not_found=False
        )
        if not document:
            self.skipTest("demo data is not loaded")
        consent = self.env.ref("crm_customer_ownership.demo_consent_c01")
        self.assertEqual(
            (document.res_model, document.res_id), (consent._name, consent.id)
        )
        agent = consent.partner_id.user_id
        consent.partner_id.with_user(agent).consent_ids.document_ids.read(["name"])
