package cn.onecard.gateway.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.ds.PGSimpleDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Connections on which PostgreSQL's {@code auto_explain} sends the plan of every statement, as
 * EXPLAIN (ANALYZE, FORMAT JSON) would show it, back to the client as a notice; this data source
 * collects them from the statements' and connections' warnings. The code under test runs its own
 * SQL unchanged. Needs a superuser (to LOAD the module) and a connection per caller: no pool.
 */
public final class PlanCapturingDataSource extends PGSimpleDataSource {

    private static final long serialVersionUID = 1L;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PLAN_NOTICE_MARK = "plan:";

    /** One executed statement's plan with actual row counts. */
    public record CapturedPlan(String queryText, JsonNode plan) {

        /**
         * The query text on one line, whitespace collapsed and numbers written into it (not its
         * parameters, {@code $1}) replaced by {@code N}: the same statement reads the same at every run.
         */
        public String statement() {
            return queryText.replaceAll("\\s+", " ").replaceAll("(?<![$\\w])\\d+", "N").strip();
        }

        /**
         * The rows the statement read: over every plan node, the rows it produced, plus those its
         * filter and join filter removed, times the times it ran.
         */
        public long rowsRead() {
            long rows = 0;
            for (JsonNode node : nodes()) {
                rows += rowsRead(node);
            }
            return rows;
        }

        /** Every node of the plan, depth first (CTEs, init plans and sub plans included). */
        public List<JsonNode> nodes() {
            List<JsonNode> nodes = new ArrayList<>();
            collect(plan, nodes);
            return nodes;
        }

        public static long rowsRead(JsonNode node) {
            double loops = node.path("Actual Loops").asDouble(0);
            double perLoop = node.path("Actual Rows").asDouble(0) + node.path("Rows Removed by Filter").asDouble(0)
                    + node.path("Rows Removed by Join Filter").asDouble(0);
            return Math.round(perLoop * loops);
        }

        private static void collect(JsonNode node, List<JsonNode> into) {
            into.add(node);
            for (JsonNode child : node.path("Plans")) {
                collect(child, into);
            }
        }
    }

    private final transient List<CapturedPlan> plans = new ArrayList<>();

    /** Everything captured since the last call, in the order the server sent it. */
    public synchronized List<CapturedPlan> drain() {
        List<CapturedPlan> drained = List.copyOf(plans);
        plans.clear();
        return drained;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = super.getConnection();
        try (Statement statement = connection.createStatement()) {
            statement.execute("load 'auto_explain'");
            statement.execute("set auto_explain.log_min_duration = 0");
            statement.execute("set auto_explain.log_analyze = on");
            // row counts are what is measured; a clock read per row would only slow the run
            statement.execute("set auto_explain.log_timing = off");
            statement.execute("set auto_explain.log_format = json");
            statement.execute("set auto_explain.log_nested_statements = on");
            statement.execute("set auto_explain.log_parameter_max_length = 0");
            statement.execute("set auto_explain.log_level = notice");
        }
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                new Collecting(connection, true));
    }

    /**
     * Collects the plan notices of a connection or statement after every call that may have run
     * SQL (a SELECT's plan arrives when its portal closes, which may be at a later statement or at
     * the commit, so every place is read), and wraps the statements a connection creates.
     */
    private final class Collecting implements InvocationHandler {
        private final Object target;
        private final boolean isConnection;

        Collecting(Object target, boolean isConnection) {
            this.target = target;
            this.isConnection = isConnection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("close")) {
                collect();
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (!name.equals("close") && !name.equals("getWarnings") && !name.equals("clearWarnings")) {
                collect();
            }
            if (isConnection && result instanceof Statement && method.getReturnType().isInterface()) {
                return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {method.getReturnType()},
                        new Collecting(result, false));
            }
            return result;
        }

        private void collect() throws SQLException {
            SQLWarning warning = isConnection ? ((Connection) target).getWarnings() : ((Statement) target).getWarnings();
            if (warning == null) {
                return;
            }
            for (; warning != null; warning = warning.getNextWarning()) {
                String message = warning.getMessage();
                int mark = message == null ? -1 : message.indexOf(PLAN_NOTICE_MARK);
                if (mark >= 0) {
                    JsonNode explained = JSON.readTree(message.substring(mark + PLAN_NOTICE_MARK.length()));
                    synchronized (PlanCapturingDataSource.this) {
                        plans.add(new CapturedPlan(explained.path("Query Text").asString(), explained.path("Plan")));
                    }
                }
            }
            if (isConnection) {
                ((Connection) target).clearWarnings();
            } else {
                ((Statement) target).clearWarnings();
            }
        }
    }
}
