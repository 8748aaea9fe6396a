package cn.onecard.simulators.treasury;

import cn.onecard.iso8583.Masking;
import tools.jackson.core.JsonGenerator;

/** One payment item in the API's item form. {@link #toString()} masks personal data. */
public record BatchItem(String itemId, String name, String idNumber, String cardNumber, long amountFen,
                        boolean householdHead, String proxyId, String phone) {

    void write(JsonGenerator json) {
        json.writeStartObject();
        json.writeStringProperty("itemId", itemId);
        json.writeStringProperty("name", name);
        json.writeStringProperty("idNumber", idNumber);
        json.writeStringProperty("cardNumber", cardNumber);
        json.writeNumberProperty("amountFen", amountFen);
        json.writeBooleanProperty("householdHead", householdHead);
        json.writeStringProperty("proxyId", proxyId);
        json.writeStringProperty("phone", phone);
        json.writeEndObject();
    }

    @Override
    public String toString() {
        return "BatchItem[itemId=" + itemId + ", name=" + Masking.name(name) + ", idNumber=" + Masking.keepEnds(idNumber)
                + ", cardNumber=" + Masking.keepEnds(cardNumber) + ", amountFen=" + amountFen + ", householdHead=" + householdHead
                + ", phone=" + Masking.phone(phone) + "]";
    }
}
