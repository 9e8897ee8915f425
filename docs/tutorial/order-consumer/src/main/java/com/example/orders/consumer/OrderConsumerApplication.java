package com.example.orders.consumer;

import com.example.orders.api.OrderService;
import io.rpcboot.autoconfigure.ImportRpcServices;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

// tag::application[]
@SpringBootApplication
@ImportRpcServices(OrderService.class)   // an OrderService bean that calls the provider
public class OrderConsumerApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrderConsumerApplication.class, args);
    }
}
// end::application[]
