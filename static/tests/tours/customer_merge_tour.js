/** @odoo-module **/
// Merge into… from the wrong customer's form: choose the right customer,
// read the preview and what Merge does, merge; the merge says what moved and
// the right customer opens.
import { registry } from "@web/core/registry";

// Merge and land on the right customer's form.
function mergeAndOpen(rightCustomer) {
    return [
        {
            content: "The dialog says what Merge does and how it is undone",
            trigger: ".modal .text-muted:contains('Undo Merge')",
        },
        {
            trigger: ".modal button[name=action_merge]",
            run: "click",
        },
        {
            content: "The merge says what moved, with a link to the right customer",
            trigger: `.o_notification:contains('Visit Reports: 1') a:contains(${rightCustomer})`,
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            trigger: `.o_form_view .o_field_widget[name=name] input:value(${rightCustomer})`,
        },
        {
            content: "The right customer's form alone, not under the merged one's",
            trigger: `.o_breadcrumb:not(:has(.o_back_button)) .active:contains(${rightCustomer})`,
        },
    ];
}

// Undo Merge on the merge's log: it says what moved back, with a link to the
// merged customer, and opens it.
registry.category("web_tour.tours").add("crm_customer_ownership_merge_undo", {
    steps: () => [
        {
            trigger: ".o_form_view button[name=action_undo]",
            run: "click",
        },
        {
            trigger: ".modal .modal-footer .btn-primary:contains('Ok')",
            run: "click",
        },
        {
            content: "The undo says what moved back, with a link to the merged customer",
            trigger: ".o_notification:contains('Visit Reports: 1') a:contains(Tour Undo Wrong)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] input:value(Tour Undo Wrong)",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});

registry.category("web_tour.tours").add("crm_customer_ownership_merge", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=name] input:value(Tour Wrong Customer)",
        },
        {
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Merge into')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=target_partner_id] input",
            run: "edit Tour Right Customer",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour Right Customer')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=preview_html]:contains('Tour Right Customer')",
        },
        ...mergeAndOpen("Tour Right Customer"),
    ],
});

// Action > Merge in the contacts list with two customers selected: the
// wizard opens as Merge into… does, the wrong customer fixed and the right
// one (the one with an ERP Number) to pick; Swap turns it round and back;
// merge; the right customer opens.
registry.category("web_tour.tours").add("crm_customer_ownership_merge_list", {
    steps: () => [
        {
            trigger: ".o_searchview_input",
            run: "edit Tour List",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The list shows the search's results (a row clicked before would be reloaded away)",
            trigger: ".o_list_view:not(:has(.o_data_row:not(:contains('Tour List'))))",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour List Copy') .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour List Original') .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "One Merge in the Action menu (Odoo's own is left out for customers)",
            trigger: ".o-dropdown--menu:not(:has(.o-dropdown-item:contains('Merge') ~ .o-dropdown-item:contains('Merge'))) .o-dropdown-item:contains('Merge')",
            run: "click",
        },
        {
            content: "The customer with an ERP Number is guessed to be the right one",
            trigger: ".modal .o_field_widget[name=target_partner_id] input:value(Tour List Original)",
        },
        {
            content: "The wrong customer is fixed, as in Merge into…",
            trigger: ".modal .o_field_widget[name=source_partner_id].o_readonly_modifier:contains(Tour List Copy)",
        },
        {
            trigger: ".modal .o_field_widget[name=preview_html]:contains('Visit Reports')",
        },
        {
            trigger: ".modal button[name=action_swap]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=target_partner_id] input:value(Tour List Copy)",
        },
        {
            trigger: ".modal button[name=action_swap]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=source_partner_id]:contains(Tour List Copy)",
        },
        {
            trigger: ".modal .o_field_widget[name=target_partner_id] input:value(Tour List Original)",
        },
        ...mergeAndOpen("Tour List Original"),
    ],
});
