"""Seed the duty articles (义务条款) the shipped checklist items cite (issue 16), as shared rows
(``town`` empty, kept by the district) of kind ``duty``: a checklist item's basis names a row of
the table (``anjian.inspections.legal_bases``), and a case can never choose one (it sets no fine).

No fine is written here. ``penalty_text`` names the penalty article only where it is certain;
otherwise it refers to the law's chapter on legal liability. Idempotent: a row already present
for (law, article) is left as it is (a town or the district may have entered it)."""

from django.db import migrations

SAFETY_LAW = "中华人民共和国安全生产法（2021）"
FIRE_LAW = "中华人民共和国消防法（2021）"
SPECIAL_EQUIPMENT_LAW = "中华人民共和国特种设备安全法"
FLOOD_LAW = "中华人民共和国防洪法"
HAZCHEM_REGULATIONS = "危险化学品安全管理条例（国务院令第591号）"
CONSTRUCTION_REGULATIONS = "建设工程安全生产管理条例"
DAM_REGULATIONS = "水库大坝安全管理条例"
RENTAL_MEASURES = "商品房屋租赁管理办法"
ORDER_10 = "工贸企业重大事故隐患判定标准（应急管理部令第10号）"

LAW_CHAPTER = "罚则见本法法律责任章"
REGULATIONS_CHAPTER = "罚则见本条例法律责任章"
MEASURES_CHAPTER = "罚则见本办法法律责任的规定"
ORDER_10_TEXT = (
    "本条列举应当判定为重大事故隐患的情形，本身不设罚则；依照所违反的法律、法规处罚，"
    "并按重大事故隐患督办整改"
)
NOTE = "义务条款：供检查表条目引用；立案时请选择罚则条款。"

# (law, article, what a unit fails to do, penalty_text)
DUTIES = [
    (
        SAFETY_LAW,
        "第二十条",
        "不具备法律、行政法规和国家标准或者行业标准规定的安全生产条件",
        LAW_CHAPTER,
    ),
    (
        SAFETY_LAW,
        "第二十一条",
        "主要负责人未履行建立健全并落实全员安全生产责任制、组织制定并实施安全生产规章制度和操作规程等职责",
        "违反本条的，依照第九十四条处罚",
    ),
    (
        SAFETY_LAW,
        "第二十二条",
        "未建立或者未落实全员安全生产责任制，未明确各岗位的责任人员、责任范围和考核标准",
        LAW_CHAPTER,
    ),
    (
        SAFETY_LAW,
        "第二十四条",
        "未按照规定设置安全生产管理机构或者配备安全生产管理人员",
        "违反本条的，依照第九十七条处罚",
    ),
    (
        SAFETY_LAW,
        "第二十七条",
        "主要负责人和安全生产管理人员不具备与所从事的生产经营活动相应的安全生产知识和管理能力，或者未按照规定经考核合格",
        "未按照规定经考核合格的，依照第九十七条处罚",
    ),
    (
        SAFETY_LAW,
        "第二十八条",
        "未按照规定对从业人员进行安全生产教育和培训，或者未如实记录教育和培训情况",
        "违反本条的，依照第九十七条处罚",
    ),
    (
        SAFETY_LAW,
        "第三十条",
        "特种作业人员未按照规定经专门的安全作业培训并取得相应资格上岗作业",
        "违反本条的，依照第九十七条处罚",
    ),
    (
        SAFETY_LAW,
        "第三十五条",
        "未在有较大危险因素的生产经营场所和有关设施、设备上设置明显的安全警示标志",
        "违反本条的，依照第九十九条处罚",
    ),
    (
        SAFETY_LAW,
        "第三十六条",
        "安全设备的安装、使用、检测、维修不符合国家标准或者行业标准，或者未进行经常性维护、保养和定期检测",
        "违反本条的，依照第九十九条处罚",
    ),
    (
        SAFETY_LAW,
        "第三十九条",
        "生产、经营、储存、使用危险物品或者处置废弃危险物品，未建立专门的安全管理制度、未采取可靠的安全措施",
        LAW_CHAPTER,
    ),
    (
        SAFETY_LAW,
        "第四十一条",
        "未建立安全风险分级管控制度或者事故隐患排查治理制度，未如实记录事故隐患排查治理情况或者未向从业人员通报，未及时消除事故隐患",
        "依照第九十七条第（五）项、第一百零一条第（四）项和第（五）项、第一百零二条处罚",
    ),
    (
        SAFETY_LAW,
        "第四十二条",
        "危险物品的车间、商店、仓库与员工宿舍在同一座建筑物内，或者生产经营场所和员工宿舍的出口、疏散通道不符合紧急疏散要求，被占用、锁闭、封堵",
        "违反本条的，依照第一百零五条处罚",
    ),
    (
        SAFETY_LAW,
        "第四十三条",
        "进行爆破、吊装、动火、临时用电等危险作业，未安排专门人员进行现场安全管理",
        "依照第一百零一条第（三）项处罚",
    ),
    (
        SAFETY_LAW,
        "第四十四条",
        "未如实告知从业人员作业场所和工作岗位存在的危险因素、防范措施以及事故应急措施",
        "依照第九十七条第（三）项处罚",
    ),
    (
        SAFETY_LAW,
        "第四十五条",
        "未为从业人员提供符合国家标准或者行业标准的劳动防护用品，或者未监督、教育从业人员按照规则佩戴、使用",
        "违反本条的，依照第九十九条处罚",
    ),
    (
        SAFETY_LAW,
        "第四十九条",
        "将生产经营项目、场所、设备发包或者出租给不具备安全生产条件或者相应资质的单位或者个人，或者未对承包单位、承租单位的安全生产工作统一协调、管理",
        "违反本条的，依照第一百零三条处罚",
    ),
    (
        SAFETY_LAW,
        "第五十一条",
        "未依法参加工伤保险，或者属于国家规定的高危行业、领域未投保安全生产责任保险",
        LAW_CHAPTER,
    ),
    (
        SAFETY_LAW,
        "第八十一条",
        "未按照规定制定生产安全事故应急救援预案或者未定期组织演练",
        "依照第九十七条第（六）项处罚",
    ),
    (
        FIRE_LAW,
        "第十六条",
        "单位未履行落实消防安全责任制、配置消防设施器材并保持完好有效、保障疏散通道和安全出口畅通、组织防火检查和消防演练等消防安全职责",
        "违反本条的，依照第六十七条处罚",
    ),
    (
        FIRE_LAW,
        "第十七条",
        "消防安全重点单位未确定消防安全管理人、建立消防档案、实行每日防火巡查或者组织消防安全培训和演练",
        "违反本条的，依照第六十七条处罚",
    ),
    (
        FIRE_LAW,
        "第十八条",
        "同一建筑物由两个以上单位管理或者使用，未明确各方的消防安全责任",
        "违反本条的，依照第六十七条处罚",
    ),
    (
        FIRE_LAW,
        "第十九条",
        "生产、储存、经营易燃易爆危险品的场所与居住场所设置在同一建筑物内，或者其他合用场所不符合消防技术标准",
        "违反本条的，依照第六十一条处罚",
    ),
    (
        FIRE_LAW,
        "第二十一条",
        "在具有火灾、爆炸危险的场所吸烟、使用明火，或者自动消防系统的操作人员未持证上岗",
        LAW_CHAPTER,
    ),
    (
        FIRE_LAW,
        "第二十六条",
        "建筑构件、建筑材料和室内装修、装饰材料的防火性能不符合国家标准或者行业标准",
        LAW_CHAPTER,
    ),
    (
        FIRE_LAW,
        "第二十七条",
        "电器产品、燃气用具的安装、使用及其线路、管路的设计、敷设、维护保养、检测不符合消防技术标准和管理规定",
        LAW_CHAPTER,
    ),
    (
        FIRE_LAW,
        "第二十八条",
        "损坏、挪用或者擅自拆除、停用消防设施、器材，占用、堵塞、封闭疏散通道、安全出口、消防车通道，或者人员密集场所门窗设置影响逃生和灭火救援的障碍物",
        "违反本条的，依照第六十条处罚",
    ),
    (
        SPECIAL_EQUIPMENT_LAW,
        "第十四条",
        "特种设备安全管理人员、检测人员和作业人员未取得相应资格",
        LAW_CHAPTER,
    ),
    (SPECIAL_EQUIPMENT_LAW, "第三十三条", "特种设备未按照规定办理使用登记", LAW_CHAPTER),
    (
        SPECIAL_EQUIPMENT_LAW,
        "第四十条",
        "特种设备未按照安全技术规范的要求进行定期检验，或者使用未经定期检验、检验不合格的特种设备",
        LAW_CHAPTER,
    ),
    (
        FLOOD_LAW,
        "第四十四条",
        "汛期水库不服从防汛指挥机构的调度指挥和监督，擅自在汛期限制水位以上蓄水",
        LAW_CHAPTER,
    ),
    (
        HAZCHEM_REGULATIONS,
        "第二十四条",
        "危险化学品未储存在专用仓库、专用场地或者专用储存室内，或者储存方式、方法、数量不符合国家标准或者国家有关规定",
        REGULATIONS_CHAPTER,
    ),
    (
        CONSTRUCTION_REGULATIONS,
        "第二十六条",
        "对达到一定规模的危险性较大的分部分项工程未编制专项施工方案",
        REGULATIONS_CHAPTER,
    ),
    (
        CONSTRUCTION_REGULATIONS,
        "第二十九条",
        "施工现场的办公、生活区与作业区未分开设置，或者在尚未竣工的建筑物内设置员工集体宿舍",
        REGULATIONS_CHAPTER,
    ),
    (DAM_REGULATIONS, "第四条", "未落实大坝安全行政领导负责制", REGULATIONS_CHAPTER),
    (
        DAM_REGULATIONS,
        "第十九条",
        "未按照有关技术标准对大坝进行安全监测和检查，或者发现异常未及时报告、采取措施",
        REGULATIONS_CHAPTER,
    ),
    (
        DAM_REGULATIONS,
        "第二十条",
        "未做好大坝的养护修理工作，大坝和闸门启闭设备不完好",
        REGULATIONS_CHAPTER,
    ),
    (RENTAL_MEASURES, "第六条", "出租不符合安全、防灾等工程建设强制性标准的房屋", MEASURES_CHAPTER),
    (
        RENTAL_MEASURES,
        "第八条",
        "出租住房未以原设计的房间为最小出租单位，或者人均租住建筑面积低于当地规定的最低标准",
        MEASURES_CHAPTER,
    ),
    (ORDER_10, "第七条", "机械行业存在本条所列重大事故隐患情形", ORDER_10_TEXT),
    (ORDER_10, "第十一条", "存在粉尘爆炸危险的企业存在本条所列重大事故隐患情形", ORDER_10_TEXT),
    (ORDER_10, "第十二条", "使用液氨制冷的企业存在本条所列重大事故隐患情形", ORDER_10_TEXT),
    (
        ORDER_10,
        "第十三条",
        "存在硫化氢、一氧化碳等中毒风险有限空间作业的企业存在本条所列重大事故隐患情形",
        ORDER_10_TEXT,
    ),
]


def seed(apps, schema_editor):
    LegalProvision = apps.get_model("enforcement", "LegalProvision")
    for law, article, violation, penalty_text in DUTIES:
        LegalProvision.objects.get_or_create(
            law=law,
            article=article,
            defaults={
                "kind": "duty",
                "violation": violation,
                "penalty_text": penalty_text,
                "note": NOTE,
                "town": None,
            },
        )


def unseed(apps, schema_editor):
    LegalProvision = apps.get_model("enforcement", "LegalProvision")
    for law, article, _violation, _penalty in DUTIES:
        LegalProvision.objects.filter(
            law=law, article=article, kind="duty", town__isnull=True, cases__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0007_provision_kind")]

    operations = [migrations.RunPython(seed, unseed)]
