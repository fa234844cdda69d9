"""The default unit categories (domain.md §4.1–4.2 and the 2018 town report), with their grade
floors; and the pinyin of the names of units registered before the services kept it."""

from django.db import migrations

# code, name, group, grade floor, order
DEFAULT_CATEGORIES = [
    ("haz-chem-storage", "危化品存储", "haz_chem", "red", 10),
    ("haz-chem-use", "危化品使用", "haz_chem", "orange", 20),
    ("fireworks", "烟花爆竹经营", "haz_chem", "orange", 30),
    ("confined-space", "有限空间作业", "three_places", "yellow", 10),
    ("combustible-dust", "粉尘涉爆", "three_places", "orange", 20),
    ("spray-coating", "喷涂作业", "three_places", "yellow", 30),
    ("ammonia-refrigeration", "涉氨制冷", "three_places", "orange", 40),
    ("metal-smelting", "金属冶炼/高温熔融金属", "three_places", "orange", 50),
    ("ship-repair", "船舶修造", "three_places", "orange", 60),
    ("fire-key-unit", "消防重点单位", "fire", "yellow", 10),
    ("crowded-place", "人员密集场所", "fire", "yellow", 20),
    ("three-in-one", "“三合一”场所", "fire", "orange", 30),
    ("rental-housing", "出租房", "fire", "", 40),
    ("spray-painting", "喷漆（非水性）", "industry_risk", "yellow", 10),
    ("powder-coating", "喷塑", "industry_risk", "", 20),
    ("electroplating", "电镀", "industry_risk", "yellow", 30),
    ("textile-dyeing", "纺织印染", "industry_risk", "", 40),
    ("bamboo-wood", "竹木加工", "industry_risk", "", 50),
    ("shoemaking", "制鞋", "industry_risk", "", 60),
    ("sponge-foam", "海绵和珍珠棉生产", "industry_risk", "yellow", 70),
    ("lithium-battery", "锂电池生产", "industry_risk", "yellow", 80),
    ("thermal-oil", "导热油企业", "industry_risk", "yellow", 90),
    ("ink-printing", "油墨印刷（非水性）", "industry_risk", "", 100),
    ("flammable", "易燃企业", "industry_risk", "yellow", 110),
    ("labour-intensive", "劳动密集型企业", "other", "", 10),
    ("small-micro", "小微企业", "other", "", 20),
    ("gas", "燃气经营/使用", "other", "orange", 30),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("units", "Category")
    for code, name, group, floor, order in DEFAULT_CATEGORIES:
        Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "group": group, "grade_floor": floor, "sort_order": order},
        )


def fill_pinyin(apps, schema_editor):
    from anjian.units.search import name_pinyin

    Unit = apps.get_model("units", "Unit")
    for unit in Unit.objects.filter(name_pinyin="").only("pk", "name").iterator():
        full, initials = name_pinyin(unit.name)
        Unit.objects.filter(pk=unit.pk).update(name_pinyin=full, name_initials=initials)


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0003_public_enterprise"),
    ]

    operations = [
        migrations.RunPython(add_categories, migrations.RunPython.noop),
        migrations.RunPython(fill_pinyin, migrations.RunPython.noop),
    ]
