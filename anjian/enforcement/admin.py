"""Until their pages exist, the town's enforcement settings and the officers' certificate numbers
are kept by an administrator here (/admin/)."""

from django.contrib import admin

from anjian.enforcement.models import EnforcementSettings, NumberingRule, OfficerCertificate


@admin.register(EnforcementSettings)
class EnforcementSettingsAdmin(admin.ModelAdmin):
    list_display = ("town", "mode", "authority_name", "town_body_name")


@admin.register(OfficerCertificate)
class OfficerCertificateAdmin(admin.ModelAdmin):
    list_display = ("user", "number", "valid_until")
    search_fields = ("user__name", "user__username", "number")


@admin.register(NumberingRule)
class NumberingRuleAdmin(admin.ModelAdmin):
    list_display = ("town", "doc_type", "pattern")
