package cn.onecard.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.adapters.BankOutcome;
import org.junit.jupiter.api.Test;

/** The profile's code table: exactly the refusals prove an item unpaid; anything unlisted proves nothing. */
class HttpResultCodeTest {

    @Test
    void exactlyTheRefusalsMapToAnItemRefusal() {
        for (HttpResultCode code : HttpResultCode.values()) {
            if (code.meaning() == HttpResultCode.Meaning.REFUSED) {
                BankOutcome outcome = code.refusal();
                assertThat(outcome.provesUnpaid()).as(code.name()).isTrue();
                assertThat(outcome.scope()).as(code.name()).isEqualTo(BankOutcome.Scope.ITEM);
            } else {
                assertThatThrownBy(code::refusal).as(code.name()).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void unlistedCodesAndCaseVariantsProveNothing() {
        assertThat(HttpResultCode.of("SUCCESS")).isEqualTo(HttpResultCode.SUCCESS);
        for (String unlisted : new String[] {"success", "UNLISTED", "", "ACCOUNT_CLOSED ", "0000"}) {
            assertThat(HttpResultCode.of(unlisted).meaning()).as(unlisted).isEqualTo(HttpResultCode.Meaning.UNCLEAR);
        }
        assertThat(HttpResultCode.of("DUPLICATE").meaning()).isEqualTo(HttpResultCode.Meaning.UNCLEAR);
        assertThat(HttpResultCode.of("BUSY").meaning()).isEqualTo(HttpResultCode.Meaning.NOT_PROCESSED);
    }
}
