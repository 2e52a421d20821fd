# Copyright 2026 crm_customer_ownership authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "CRM Customer Ownership",
    "summary": "Transfer customers between salespeople with their history, "
    "trash, merge and lead access rules",
    "version": "2.0.2",
    "development_status": "Beta",
    "category": "Sales/CRM",
    "website": "https://github.com/crm-customer-ownership/crm_customer_ownership",
    "author": "crm_customer_ownership authors",
    "maintainers": ["crm-customer-ownership"],
    "license": "LGPL-3",
    "depends": ["contacts", "crm", "calendar", "mail"],
    "external_dependencies": {"python": ["openpyxl"]},
    "data": [
        "security/crm_customer_ownership_security.xml",
        "security/ir.model.access.csv",
        "views/customer_visit_report_views.xml",
        "views/customer_visit_block_views.xml",
        "views/customer_consent_views.xml",
        "views/customer_structure_unit_views.xml",
        "views/customer_ownership_history_views.xml",
        "views/customer_import_log_views.xml",
        "views/customer_merge_log_views.xml",
        "wizards/customer_import_wizard_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "data/ir_cron_data.xml",
        "wizards/customer_transfer_wizard_views.xml",
        "views/res_users_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_customer_ownership_menus.xml",
        "data/customer_merge_templates.xml",
        "wizards/customer_merge_wizard_views.xml",
        # Last: completes records of the files above, as each series spells it.
        "data/odoo_series.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_customer_ownership/static/src/js/import_progress_bar_field.js",
        ],
        "web.assets_tests": [
            "crm_customer_ownership/static/tests/tours/**/*",
        ],
    },
    "demo": [
        "demo/crm_customer_ownership_demo.xml",
        "demo/crm_customer_ownership_demo_features.xml",
        "demo/odoo_series_demo.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
