package cn.onecard.simulators.filebank;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The accounts CSV: read strictly, refused with a line number and never a card number. */
class AccountsTest {

    @Test
    void readsEveryStateAndBalance_withOrWithoutTheHeader() {
        Accounts accounts = Accounts.parse("""
                card_number,name,id_number,state,balance_fen
                6225768888888888,张三,11010519491231002X,NORMAL,0
                6228480000000000011,李四,440524188001010014,LOST,10000
                """, "test");
        Accounts headless = Accounts.parse("6225768888888888,张三,11010519491231002X,FROZEN,5\r\n", "test");

        assertThat(accounts.size()).isEqualTo(2);
        assertThat(accounts.find("6228480000000000011")).hasValueSatisfying(a -> {
            assertThat(a.name()).isEqualTo("李四");
            assertThat(a.state()).isEqualTo(AccountState.LOST);
            assertThat(a.balanceFen()).isEqualTo(10_000);
        });
        assertThat(headless.find("6225768888888888")).hasValueSatisfying(a -> assertThat(a.state()).isEqualTo(AccountState.FROZEN));
        assertThat(accounts.find("6228480000000000029")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "four fields; 6225768888888888,张三,11010519491231002X,NORMAL; expected 5 fields",
            "short card; 622576888888888,张三,11010519491231002X,NORMAL,0; card number",
            "empty name; 6225768888888888,,11010519491231002X,NORMAL,0; name",
            "bad ID; 6225768888888888,张三,1101051949123100XX,NORMAL,0; ID number",
            "unknown state; 6225768888888888,张三,11010519491231002X,DORMANT,0; unknown state 'DORMANT'",
            "negative balance; 6225768888888888,张三,11010519491231002X,NORMAL,-1; balance",
            "yuan balance; 6225768888888888,张三,11010519491231002X,NORMAL,1.00; balance"})
    void refusesABadLine_namingTheLine_notTheCard(String name, String line, String reason) {
        assertThatThrownBy(() -> Accounts.parse(Accounts.HEADER + "\n" + line + "\n", "test.csv"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("test.csv line 2")
                .hasMessageContaining(reason)
                .hasMessageNotContaining("6225768888888888");
    }

    @Test
    void refusesACardTwice_maskingIt() {
        assertThatThrownBy(() -> Accounts.parse("""
                6225768888888888,张三,11010519491231002X,NORMAL,0
                6225768888888888,李四,440524188001010014,NORMAL,0
                """, "test.csv"))
                .hasMessageContaining("line 2").hasMessageContaining("622576******8888")
                .hasMessageNotContaining("6225768888888888");
    }

    @Test
    void credit_addsToTheBalance() {
        Accounts accounts = Accounts.parse("6225768888888888,张三,11010519491231002X,NORMAL,100\n", "test");

        accounts.credit("6225768888888888", 9_000);

        assertThat(accounts.find("6225768888888888")).hasValueSatisfying(a -> assertThat(a.balanceFen()).isEqualTo(9_100));
    }
}
