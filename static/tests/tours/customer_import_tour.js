/** @odoo-module **/
// Contacts > Import Customers: upload a file, preview it (a customer of
// another salesperson is moved over), open a row, import, open the imported
// customers and reload them.
import { registry } from "@web/core/registry";
import { unloadsPage } from "./compat";

const CSV = [
    "external_ref,name,city",
    "TOUR-1,Tour Import Moved Customer,Innsbruck",
    "TOUR-2,Tour Import New Customer,Salzburg",
].join("\n");

registry.category("web_tour.tours").add("crm_customer_ownership_import", {
    steps: () => [
        {
            trigger: ".o_main_navbar [data-menu-xmlid='crm_customer_ownership.menu_customer_import']",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=file]",
            run() {
                const input = this.anchor.querySelector("input[type=file]");
                const transfer = new DataTransfer();
                transfer.items.add(new File([CSV], "tour_import.csv", { type: "text/csv" }));
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            trigger: ".modal .o_field_widget[name=file] input.o_input:value(tour_import.csv)",
        },
        {
            trigger: ".modal .o_field_widget[name=transfer_mode] input[data-value=move]",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_preview]",
            run: "click",
        },
        {
            content: "The preview tells what moves before anything is written",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains('TOUR-1'):contains('Tour Source Agent')",
        },
        {
            content: "The dialog keeps its title after Preview",
            trigger: ".modal .modal-title:contains('Import Customers')",
        },
        {
            content: "The plan's filters stay inside the dialog",
            trigger: ".modal .nav-link:contains('Transfers')",
            run: "click",
        },
        {
            trigger: ".modal .tab-pane.active .o_data_row:contains('TOUR-1') td[name=name]",
            run: "click",
        },
        {
            content: "A row opens as what happens to the customer and why",
            trigger: ".o_dialog .o_form_view .o_field_widget[name=message]:contains('Tour Source Agent')",
        },
        {
            content: "The row's dialog is titled in business words",
            trigger: ".modal-content:has(.o_field_widget[name=message]) .modal-title:contains('Import Row'):not(:contains('Rows'))",
        },
        {
            content: "No technical names in the row",
            trigger: ".modal-content:has(.o_field_widget[name=message]):not(:contains('Wizard')):not(:contains('customer.import'))",
        },
        {
            trigger: ".modal-content:has(.o_field_widget[name=message]) .modal-footer button",
            run: "click",
        },
        {
            trigger: ".modal:not(:has(.o_field_widget[name=message])) .tab-pane.active .o_data_row:contains('TOUR-1')",
        },
        {
            trigger: ".modal button[name=action_import]",
            run: "click",
        },
        {
            trigger: ".modal .alert-success:contains('tour_import.csv')",
        },
        {
            content: "After the import the counters tell what was done",
            trigger: ".modal .o_form_label:contains('Transferred')",
        },
        {
            trigger: ".modal button[name=action_view_customers]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Import New Customer')",
        },
        unloadsPage({
            content: "Reload the list of imported customers",
            trigger: ".o_breadcrumb:contains('Imported Customers')",
            run() {
                location.reload();
            },
        }),
        {
            content: "The reload shows the same customers under the same title",
            trigger: ".o_breadcrumb:contains('Imported Customers')",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Import Moved Customer')",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Import New Customer')",
        },
    ],
});
