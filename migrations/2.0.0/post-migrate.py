def migrate(cr, version):
    """Attach consent documents uploaded before their consent was saved.

    Until 18.0.1.0.1 such files kept res_id 0, which Odoo lets only their
    uploader and administrators read: the customer's agent, team lead and
    customer service got an access error opening the customer. A document
    linked to several consents goes to the first one.
    """
    cr.execute(
        """
        UPDATE ir_attachment AS a
           SET res_model = 'customer.consent', res_id = rel.consent_id
          FROM (SELECT attachment_id, MIN(consent_id) AS consent_id
                  FROM customer_consent_ir_attachment_rel
                 GROUP BY attachment_id) AS rel
         WHERE a.id = rel.attachment_id
           AND COALESCE(a.res_id, 0) = 0
           AND a.res_field IS NULL
        """
    )
