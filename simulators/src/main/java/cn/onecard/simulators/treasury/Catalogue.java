package cn.onecard.simulators.treasury;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The treasury's copy of the subsidy catalogue: P01 to P45 in the order of docs/catalogue.md,
 * with caps and payee kinds from there and typical amounts of our own (per month, term or year,
 * as the programme pays). Kept apart from the gateway's copy on purpose: the treasury is the other
 * party and must be able to disagree.
 */
public final class Catalogue {

    private static final long YUAN = 100;
    private static final Map<String, Programme> PROGRAMMES = new LinkedHashMap<>();

    static {
        person("P01", "农机购置补贴", 50_000, 1_000, 30_000, 100 * YUAN);
        household("P02", "耕地地力保护补贴", 10_000, 50, 1_500, 1);
        household("P03", "大中型水库移民后期扶持补助", 3_000, 600, 600, YUAN);
        person("P04", "雨露计划", 3_000, 1_500, 1_500, YUAN);
        person("P05", "脱贫人口小额信贷财政贴息", 10_000, 100, 2_000, 1);
        person("P06", "学前教育保教费", 3_000, 500, 1_500, 100 * YUAN);
        person("P07", "学前教育生活补助", 3_000, 300, 1_000, 50 * YUAN);
        person("P08", "义务教育家庭经济困难学生生活补助", 3_000, 500, 1_000, 125 * YUAN);
        person("P09", "义务教育建档立卡学生营养改善补助", 3_000, 400, 800, 100 * YUAN);
        person("P10", "普通高中国家助学金", 3_000, 1_000, 1_500, 500 * YUAN);
        person("P11", "中等职业教育国家助学金", 3_000, 1_000, 1_000, YUAN);
        household("P12", "农村危房改造补助", 40_000, 10_000, 40_000, 1_000 * YUAN);
        person("P13", "交通运输业成品油价格补助", 50_000, 1_000, 30_000, 1);
        person("P14", "淘汰国三及以下排放标准营运柴油货车补助", 50_000, 10_000, 50_000, 1_000 * YUAN);
        household("P15", "森林生态效益补偿", 10_000, 20, 2_000, 1);
        household("P16", "天然商品林停伐管护补助", 3_000, 20, 1_000, 1);
        household("P17", "新一轮退耕还林补助", 10_000, 100, 5_000, 1);
        person("P18", "生态护林员补助", 3_000, 500, 1_000, 100 * YUAN);
        household("P19", "自然灾害救助", 20_000, 500, 10_000, 100 * YUAN);
        person("P20", "孤儿基本生活保障", 3_000, 1_200, 2_000, 10 * YUAN);
        person("P21", "事实无人抚养儿童基本生活保障", 3_000, 1_000, 1_600, 10 * YUAN);
        person("P22", "福彩圆梦孤儿助学工程", 3_000, 1_000, 3_000, 500 * YUAN);
        person("P23", "艾滋病患者生活定量补助", 3_000, 100, 300, 10 * YUAN);
        person("P24", "社会散居艾滋病病毒感染儿童基本生活费", 3_000, 600, 1_200, 10 * YUAN);
        person("P25", "艾滋病导致单亲家庭未成年子女生活救助", 3_000, 200, 600, 10 * YUAN);
        household("P26", "城乡居民最低生活保障", 3_000, 200, 1_500, YUAN);
        person("P27", "临时救助", 5_000, 500, 5_000, 100 * YUAN);
        person("P28", "高龄津贴", 3_000, 50, 500, 50 * YUAN);
        person("P29", "困难残疾人生活补贴", 3_000, 70, 120, 10 * YUAN);
        person("P30", "重度残疾人护理补贴", 3_000, 80, 120, 10 * YUAN);
        household("P31", "农村部分计划生育家庭奖励扶助", 3_000, 80, 1_200, 80 * YUAN);
        person("P32", "计划生育家庭特别扶助", 3_000, 590, 1_200, 10 * YUAN);
        person("P33", "城镇独生子女父母奖励扶助", 3_000, 100, 1_000, 10 * YUAN);
        person("P34", "计划生育家庭生育关怀抚慰金", 3_000, 500, 2_000, 100 * YUAN);
        person("P35", "老年乡村医生生活补助", 3_000, 200, 800, 10 * YUAN);
        household("P36", "洛阳市农村部分计划生育家庭奖励扶助", 3_000, 80, 1_200, 80 * YUAN);
        person("P37", "洛阳市计划生育特殊家庭养老扶助", 3_000, 200, 1_000, 10 * YUAN);
        household("P38", "洛阳市农村计划生育低保对象生活补助", 3_000, 100, 600, 10 * YUAN);
        person("P39", "洛阳市部分计划生育特殊困难家庭救助", 3_000, 500, 3_000, 100 * YUAN);
        person("P40", "残疾人机动车燃油补贴", 3_000, 200, 300, 10 * YUAN);
        person("P41", "就业补助", 3_000, 500, 3_000, 100 * YUAN);
        person("P42", "优抚对象抚恤生活补助", 3_000, 500, 3_000, 10 * YUAN);
        person("P43", "义务兵优待金", 20_000, 5_000, 20_000, 100 * YUAN);
        person("P44", "自主就业退役士兵一次性经济补助", 100_000, 10_000, 100_000, 100 * YUAN);
        person("P45", "退役士兵待分配期间生活补助", 3_000, 1_000, 3_000, 100 * YUAN);
    }

    private Catalogue() {
    }

    public static List<Programme> all() {
        return List.copyOf(PROGRAMMES.values());
    }

    public static Programme byCode(String code) {
        Programme programme = PROGRAMMES.get(code);
        if (programme == null) {
            throw new IllegalArgumentException("no programme " + code + " in the catalogue (P01 to P45)");
        }
        return programme;
    }

    private static void person(String code, String name, long capYuan, long minYuan, long maxYuan, long stepFen) {
        PROGRAMMES.put(code, new Programme(code, name, capYuan * YUAN, false, minYuan * YUAN, maxYuan * YUAN, stepFen));
    }

    private static void household(String code, String name, long capYuan, long minYuan, long maxYuan, long stepFen) {
        PROGRAMMES.put(code, new Programme(code, name, capYuan * YUAN, true, minYuan * YUAN, maxYuan * YUAN, stepFen));
    }
}
