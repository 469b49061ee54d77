package io.herald.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/** Picks native epoll where it loads, NIO otherwise. */
record EventLoops(String name, IoHandlerFactory factory, Class<? extends ServerChannel> serverChannel) {

    static EventLoops best() {
        if (Epoll.isAvailable()) {
            return new EventLoops("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
        }
        return new EventLoops("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }

    EventLoopGroup group(int threads, String prefix) {
        return new MultiThreadIoEventLoopGroup(threads, new io.netty.util.concurrent.DefaultThreadFactory(prefix, true), factory);
    }
}
