from anjian.accounts.services import user_create
from anjian.audit.models import AuditEntry
from anjian.audit.services import audit_record, audit_verify_chain


def test_deleting_a_user_keeps_the_audit_chain_intact(world):
    user = user_create(
        actor=world.town_office_a, username="temp", name="临时", password="Xy#12345678"
    )
    entry = AuditEntry.objects.filter(action="user.created", target_id=str(user.pk)).get()
    user_pk = user.pk
    own = audit_record(actor=user, action="auth.login", obj=user)
    user.delete()
    entry.refresh_from_db()
    own.refresh_from_db()
    assert entry.target_id == str(user_pk)
    assert own.actor_id == user_pk and own.actor_label.startswith("临时")
    assert audit_verify_chain().ok
