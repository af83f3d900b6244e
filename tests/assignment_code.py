"""The assignment's own code, as a student types it in: the Q26 class and the Q29/Q30 loop.

Copied from the assignment's text verbatim, with each ``COMPLETE`` blank filled as the
pages Q26, Q29 and Q30 fill it, and nothing else changed (hence the ruff exemptions in
``pyproject.toml``). The tests run these through the package's public functions.
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# This is our neural networks class that inherits from nn.Module
class LeNet(nn.Module):
    # Here we define our network structure
    def __init__(self):
        super(LeNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)
    # Here we define one forward pass through the network
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), (2, 2))
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x
    # Determine the number of features in a batch of tensors
    def num_flat_features(self, x ):
        size = x.size()[1:]
        return np.prod(size)


def backprop_deep(xtrain, ltrain, net, T, B=100, gamma=.001, rho=.9):
    N = xtrain.size()[0]  # Training set size
    NB = N // B  # Number of minibatches
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=gamma, momentum=rho)
    for epoch in range(T):
        running_loss = 0.0
        shuffled_indices = torch.randperm(N)
        for k in range(NB):
            # Extract k-th minibatch from xtrain and ltrain
            minibatch_indices = shuffled_indices[B * k : B * (k + 1)]
            inputs = xtrain[minibatch_indices]
            labels = ltrain[minibatch_indices]
            # Initialize the gradients to zero
            optimizer.zero_grad()
            # Forward propagation
            outputs = net(inputs)
            # Error evaluation
            loss = criterion(outputs, labels)
            # Back propagation
            loss.backward()
            # Parameter update
            optimizer.step()
            # Print averaged loss per minibatch every 100 mini-batches
            # Compute and print statistics
            with torch.no_grad():
                running_loss += loss.item()
            if k % 100 == 99:
                print('[%d, %5d] loss: %.3f' %
                    (epoch + 1, k + 1, running_loss / 100))
                running_loss = 0.0
