package cn.onecard.simulators.population;

import java.util.SplittableRandom;

/**
 * Chinese names: a surname drawn by its weight (roughly the shares of the 2020 census, per ten
 * thousand people) and a given name of one or two characters common for the holder's sex.
 */
final class ChineseNames {

    private static final String[] SURNAMES = {
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林",
        "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "邓", "冯", "曹", "彭", "曾", "肖", "田", "董", "潘",
        "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "卢", "姚", "沈", "钟", "姜",
        "崔", "谭", "陆", "范", "汪", "廖", "石", "金", "韦", "贾", "夏", "付", "方", "邹", "熊", "白", "孟", "秦",
        "邱", "侯", "江", "尹", "薛", "闫", "段", "雷", "龙", "黎", "史", "陶", "贺", "毛", "郝", "顾", "龚", "邵",
        "万", "覃", "武", "钱", "戴", "严", "莫", "孔", "向", "常", "欧阳", "司马", "诸葛", "上官"};
    private static final int[] WEIGHTS = {
        712, 700, 640, 540, 460, 310, 220, 210, 200, 190, 150, 150, 140, 130, 130, 120, 120, 110,
        110, 110, 100, 90, 80, 80, 80, 70, 70, 70, 70, 70, 60, 60, 60, 60, 60, 50,
        50, 50, 50, 50, 50, 50, 50, 50, 50, 40, 40, 40, 40, 40, 40, 40, 40, 40,
        40, 40, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        30, 30, 30, 30, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20,
        20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 5, 1, 1, 1};
    private static final int[] CUMULATIVE = new int[WEIGHTS.length];
    private static final int TOTAL;

    static {
        if (SURNAMES.length != WEIGHTS.length) {
            throw new AssertionError("surname table and weights differ in length");
        }
        int sum = 0;
        for (int i = 0; i < WEIGHTS.length; i++) {
            sum += WEIGHTS[i];
            CUMULATIVE[i] = sum;
        }
        TOTAL = sum;
    }

    private static final String MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁建国志文海峰林东成俊浩宇轩博晨然家豪"
            + "德福贵荣春生永庆兴旺富贤树田金山民保卫红军胜利振华学良义忠孝";
    private static final String FEMALE = "芳娜敏静丽艳娟霞秀英玲桂兰梅琳燕红萍雪婷倩颖欣怡佳悦涵萱梓雨"
            + "淑珍凤琴素云莲翠花玉秋月香巧慧娥彩霞菊";

    private ChineseNames() {
    }

    static String draw(SplittableRandom random, boolean male) {
        String surname = surname(random.nextInt(TOTAL));
        String pool = male ? MALE : FEMALE;
        StringBuilder name = new StringBuilder(4).append(surname);
        int given = random.nextInt(100) < 25 ? 1 : 2;
        for (int i = 0; i < given; i++) {
            name.append(pool.charAt(random.nextInt(pool.length())));
        }
        return name.toString();
    }

    /** The same name with its last character replaced, as a bank's mistyped record would hold it. */
    static String misspelt(String name, SplittableRandom random, boolean male) {
        String pool = male ? MALE : FEMALE;
        char last = name.charAt(name.length() - 1);
        char other;
        do {
            other = pool.charAt(random.nextInt(pool.length()));
        } while (other == last);
        return name.substring(0, name.length() - 1) + other;
    }

    private static String surname(int ticket) {
        int low = 0;
        int high = CUMULATIVE.length - 1;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (CUMULATIVE[middle] > ticket) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return SURNAMES[low];
    }
}
