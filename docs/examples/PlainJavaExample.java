import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.server.RpcServer;

/** rpc-boot without Spring. Run "server" in one JVM, then "client PORT" in another. */
public class PlainJavaExample {

    public interface Greeter {
        String greet(String name);
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) {
            RpcServer server = RpcServer.builder().bind("127.0.0.1", 0)
                    .service(Greeter.class, name -> "Hello, " + name + "!").start();
            System.out.println("listening on " + server.port());
            System.in.read(); // serve until stdin closes
            server.stop();
        } else {
            try (RpcClient client = RpcClient.builder().staticInstances(Greeter.class, "127.0.0.1:" + args[1]).build()) {
                Greeter greeter = client.create(Greeter.class);
                System.out.println(greeter.greet("world"));
            }
        }
    }
}
