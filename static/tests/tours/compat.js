/** @odoo-module **/
// What differs between the Odoo series in the tours, in one place (compat.py
// holds the Python side).
import { session } from "@web/session";

export const ODOO_19 = session.server_version_info[0] >= 19;

/**
 * A step after which the page reloads (an act_url opening a record, a full
 * redirect): Odoo 19's tour runner must be told, or it fails the tour when
 * the page goes away; Odoo 18's refuses the key as unknown.
 */
export function unloadsPage(step) {
    return ODOO_19 ? { ...step, expectUnloadPage: true } : step;
}

// Contacts opens as a kanban on 18, as a list on 19: its New button.
export const CONTACTS_NEW_BUTTON = ODOO_19
    ? ".o_control_panel .o_list_button_add"
    : ".o_control_panel .o-kanban-button-new";

// The pipeline's quick create: 18 asks for the customer (partner_id); 19
// asks for the Company and the Contact apart, and makes the company picked
// the opportunity's customer when it is created without a contact.
export const QUICK_CREATE_COMPANY_FIELD = ODOO_19 ? "commercial_partner_id" : "partner_id";
