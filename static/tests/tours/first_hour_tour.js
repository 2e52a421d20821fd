/** @odoo-module **/
// An Odoo user's first hour with the module installed, in chapters that
// tests/test_ui_tours.py (TestFirstHour) runs one after the other, each as
// the user who does it: the records each chapter leaves are the next one's.
import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";
import { CONTACTS_NEW_BUTTON, QUICK_CREATE_COMPANY_FIELD } from "./compat";

const COMPANY = "First Hour Alpine GmbH";
const CONTACT = "Lena First Hour";
const PDF = "%PDF-1.4\n% first hour signed consent\n%%EOF\n";

function saveForm() {
    return [
        {
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved without an error",
            trigger: ".o_form_view:not(:has(.o_form_button_save:visible))",
        },
    ];
}

function uploadFile(trigger, name, content, type) {
    return {
        trigger,
        run() {
            const transfer = new DataTransfer();
            transfer.items.add(new File([content], name, { type }));
            this.anchor.files = transfer.files;
            this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
        },
    };
}

function actionMenu(item) {
    return [
        {
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            trigger: `.o-dropdown--menu .o-dropdown-item:contains('${item}')`,
            run: "click",
        },
    ];
}

// Admin: a company and its contact through the Contacts form, and a signed
// consent PDF uploaded on the company before the consent is saved.
registry.category("web_tour.tours").add("crm_customer_ownership_first_hour_create", {
    steps: () => [
        {
            trigger: CONTACTS_NEW_BUTTON,
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=company_type] input[data-value=company]:checked",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: `edit ${COMPANY}`,
        },
        {
            trigger: ".o_notebook .nav-link[name=sales_purchases]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=user_id] input",
            run: "edit First Hour Agent",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('First Hour Agent')",
            run: "click",
        },
        ...saveForm(),
        {
            trigger: ".o_notebook .nav-link[name=customer_ownership]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=consent_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=consent_ids] .o_selected_row .o_field_widget[name=purpose] input",
            run: "edit Newsletter",
        },
        uploadFile(
            ".o_field_widget[name=consent_ids] .o_selected_row .o_field_widget[name=document_ids] input.o_input_file:not(:visible)",
            "first_hour_consent.pdf",
            PDF,
            "application/pdf"
        ),
        {
            content: "The PDF is uploaded",
            trigger: ".o_field_widget[name=consent_ids] .o_attachment[title='first_hour_consent.pdf']:not(.o_attachment_uploading)",
        },
        ...saveForm(),
        {
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            trigger: CONTACTS_NEW_BUTTON,
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=company_type] input[data-value=person]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=company_type] input[data-value=person]:checked",
        },
        {
            trigger: ".o_field_widget[name=parent_id] input",
            run: "edit First Hour Alpine",
        },
        {
            trigger: `.o-autocomplete--dropdown-item a:contains('${COMPANY}')`,
            run: "click",
        },
        {
            content: "The company is set (its onchange may rewrite the form: the name comes after it)",
            trigger: `.o_field_widget[name=parent_id] input:value(${COMPANY})`,
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: `edit ${CONTACT}`,
        },
        {
            trigger: `.o_field_widget[name=name] input:value(${CONTACT})`,
        },
        ...saveForm(),
    ],
});

// The company's agent, then customer service, open it with its consent PDF.
registry.category("web_tour.tours").add("crm_customer_ownership_first_hour_open", {
    steps: () => [
        {
            trigger: `.o_form_view .o_field_widget[name=name]:contains('${COMPANY}'), .o_form_view .o_field_widget[name=name] input:value(${COMPANY})`,
        },
        {
            trigger: ".o_notebook .nav-link[name=customer_ownership]",
            run: "click",
        },
        {
            content: "The consent and its signed PDF are shown",
            trigger: ".o_field_widget[name=consent_ids] .o_data_row:contains('Newsletter') .o_attachment[title='first_hour_consent.pdf']",
        },
    ],
});

// The agent: a lead from the Leads list, an opportunity for the company
// from the pipeline.
registry.category("web_tour.tours").add("crm_customer_ownership_first_hour_lead", {
    steps: () => [
        {
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] textarea",
            run: "edit First hour lead",
        },
        {
            content: "A new lead has no customer field yet: its company name",
            trigger: ".o_form_view .o_field_widget[name=partner_name] input",
            run: `edit ${COMPANY}`,
        },
        ...saveForm(),
    ],
});

registry.category("web_tour.tours").add("crm_customer_ownership_first_hour_opportunity", {
    steps: () => [
        {
            content: "Quick create in the first stage (19's New button opens the full form)",
            trigger: ".o_kanban_view .o_kanban_group .o_kanban_quick_add",
            run: "click",
        },
        {
            trigger: `.o_kanban_quick_create .o_field_widget[name=${QUICK_CREATE_COMPANY_FIELD}] input`,
            run: "edit First Hour Alpine",
        },
        {
            trigger: `.o-autocomplete--dropdown-item a:contains('${COMPANY}')`,
            run: "click",
        },
        {
            trigger: ".o_kanban_quick_create .o_field_widget[name=name] input",
            run: "edit First hour opportunity",
        },
        {
            trigger: ".o_kanban_quick_create .o_kanban_add",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains('First hour opportunity')",
        },
    ],
});

// Admin: archive and unarchive the contact person.
registry.category("web_tour.tours").add("crm_customer_ownership_first_hour_archive", {
    steps: () => [
        {
            trigger: `.o_form_view .o_field_widget[name=name] input:value(${CONTACT})`,
        },
        ...actionMenu("Archive"),
        {
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_form_view .ribbon:contains('Archived')",
        },
        ...actionMenu("Unarchive"),
        {
            content: "Active again",
            trigger: ".o_form_view:not(:has(.ribbon:contains('Archived')))",
        },
    ],
});

// Admin: the company to the trash and back.
registry.category("web_tour.tours").add("crm_customer_ownership_first_hour_trash", {
    steps: () => [
        {
            trigger: `.o_form_view .o_field_widget[name=name] input:value(${COMPANY})`,
        },
        {
            trigger: ".o_form_view button[name=action_trash]",
            run: "click",
        },
        {
            trigger: ".modal:contains('Move this customer to the trash') .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_form_view .ribbon:contains('In Trash')",
        },
        {
            trigger: ".o_form_view button[name=action_restore]",
            run: "click",
        },
        {
            trigger: ".o_form_view:not(:has(.ribbon:contains('In Trash')))",
        },
    ],
});

// Admin: Contacts > Import customers with the demo ERP file (the test
// attaches demo/erp_import_huber.csv), for the agent.
registry.category("web_tour.tours").add("crm_customer_ownership_first_hour_import", {
    steps: () => [
        {
            trigger: ".o_main_navbar [data-menu-xmlid='crm_customer_ownership.menu_customer_import']",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=file] input[type=file]:not(:visible)",
            async run() {
                const [file] = await rpc("/web/dataset/call_kw/ir.attachment/search_read", {
                    model: "ir.attachment",
                    method: "search_read",
                    args: [[["name", "=", "erp_import_huber.csv"]], ["datas"]],
                    kwargs: { limit: 1 },
                });
                const bytes = Uint8Array.from(atob(file.datas), (c) => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], "erp_import_huber.csv", { type: "text/csv" }));
                this.anchor.files = transfer.files;
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            trigger: ".modal .o_field_widget[name=file] input.o_input:value(erp_import_huber.csv)",
        },
        {
            trigger: ".modal .o_field_widget[name=user_id] input",
            run: "edit First Hour Agent",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('First Hour Agent')",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_preview]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains('10001')",
        },
        {
            trigger: ".modal button[name=action_import]",
            run: "click",
        },
        {
            trigger: ".modal .alert-success:contains('erp_import_huber.csv')",
        },
        {
            trigger: ".modal .modal-footer button:contains('Close')",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});

// Admin: transfer the company to another agent with Appointments unticked.
registry.category("web_tour.tours").add("crm_customer_ownership_first_hour_transfer", {
    steps: () => [
        {
            trigger: `.o_form_view .o_field_widget[name=name] input:value(${COMPANY})`,
        },
        ...actionMenu("Transfer customer"),
        {
            trigger: ".modal .o_field_widget[name=target_user_id] input",
            run: "edit First Hour Colleague",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('First Hour Colleague')",
            run: "click",
        },
        {
            trigger:
                ".modal .o_wrap_field_boolean:has(.o_form_label:contains('Appointments')) .o_field_boolean input[type=checkbox]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=transfer_appointments] input:not(:checked)",
        },
        {
            trigger: ".modal button[name=action_transfer]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});
