package cn.onecard.simulators.population;

/** County-level administrative codes of Henan (Luoyang, Zhengzhou) and Sichuan (Neijiang, Suining, Deyang, Chengdu). */
final class Regions {

    static final String[] CODES = {
        // Luoyang
        "410302", "410303", "410304", "410305", "410307", "410308", "410311", "410323", "410324", "410325",
        "410326", "410327", "410328", "410329",
        // Zhengzhou
        "410102", "410103", "410104", "410105", "410122", "410181",
        // Neijiang
        "511002", "511011", "511024", "511025", "511083",
        // Suining
        "510903", "510904", "510921", "510923", "510981",
        // Deyang
        "510603", "510604", "510623", "510681", "510682", "510683",
        // Chengdu
        "510104", "510105", "510106", "510107"};

    private Regions() {
    }
}
